"""Update rules for MISP events held locally (M2, M3) and reading single event files (M1).

The uuid is the identity of an event; a newer ``timestamp`` is an update, an equal or older
one is ignored, so re-running a pull (or pulling the same event from two feeds) changes
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shieldwall.model.errors import InputError
from shieldwall.share.misp.limits import MispLimits, load_json


def is_update(event_uuid: str, event_timestamp: int, known: Mapping[str, int]) -> bool:
    """True when the event is new or newer than the version held."""
    return known.get(event_uuid, -1) < event_timestamp


def load_event_file(path: Path, *, limits: MispLimits | None = None) -> dict[str, Any]:
    """Read one ``{"Event": …}`` JSON file (what ``MISPEvent.to_json()`` writes) under limits."""
    limits = limits or MispLimits()
    try:
        size = path.stat().st_size
        if size > limits.max_event_bytes:
            raise InputError(
                f"{size} bytes exceeds the limit of {limits.max_event_bytes}", source=str(path)
            )
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot be read: {error.strerror}", source=str(path)) from None
    document = load_json(
        data, source=str(path), max_bytes=limits.max_event_bytes, max_depth=limits.max_depth
    )
    if not isinstance(document, dict):
        raise InputError("a MISP event file must hold a JSON object", source=str(path))
    return document
