"""Errors that name the record: ``record N`` for EVTX (its record id), ``line N`` for text."""

from __future__ import annotations

from shieldwall.model.errors import InputError
from shieldwall.model.event import RawRecord


def place_of(record: RawRecord) -> str:
    """Where the record sits in its file, as the ingest readers numbered it."""
    number = record.source.record_id
    if number is None:
        return ""
    return f"record {number}" if record.format == "evtx" else f"line {number}"


def record_error(record: RawRecord, reason: str) -> InputError:
    """An :class:`InputError` naming the record's file and place."""
    return InputError(reason, source=record.source.path, place=place_of(record))
