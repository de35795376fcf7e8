"""Timestamps as logged (ISO 8601 text, epoch seconds) to aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_iso(text: str) -> datetime | None:
    """ISO 8601 text (``Z``, ``+00:00`` or ``+0000``; naive taken as UTC), or None if not one.

    ``datetime.fromisoformat`` (3.11) reads all of these and truncates fractions past
    microseconds (Windows writes seven digits).
    """
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is a year-0 moment in UTC
        return None


def from_epoch(seconds: float) -> datetime | None:
    """Seconds since 1970 (Zeek's ``ts``) as UTC, or None when out of datetime's range."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse_any(value: Any) -> datetime | None:
    """A timestamp field whichever way it was written: ISO text or epoch number."""
    kind = type(value)
    if kind is str:
        return parse_iso(value)
    if kind is int or kind is float:
        return from_epoch(value)
    return None
