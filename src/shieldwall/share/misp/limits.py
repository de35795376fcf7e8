"""Hostile-input limits for MISP events and feeds (M12, M23).

MISP data comes from partners and from public feeds; a crafted event can be huge, deeply
nested or carry a million attributes. Every limit here is checked *before* the expensive
work (parsing, conversion), and a breach is refused with an :class:`InputError` naming the
event and the place, never silently truncated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shieldwall.model.errors import InputError


@dataclass(frozen=True, slots=True)
class MispLimits:
    """Upper bounds for one event, one feed and one pull; defaults suit real feeds."""

    max_event_bytes: int = 32 * 1024 * 1024
    max_manifest_bytes: int = 64 * 1024 * 1024
    max_depth: int = 24
    max_attributes: int = 100_000
    max_objects: int = 20_000
    max_tags: int = 256
    max_galaxy_clusters: int = 2_000
    max_sightings: int = 100_000
    max_reports: int = 1_000
    max_value_chars: int = 131_072
    max_text_chars: int = 2_000_000
    max_events_per_pull: int = 10_000
    max_bytes_per_pull: int = 1024 * 1024 * 1024


def load_json(data: bytes, *, source: str, max_bytes: int, max_depth: int) -> Any:
    """Parse JSON bytes under a size and nesting limit; every failure is an InputError."""
    if len(data) > max_bytes:
        raise InputError(f"{len(data)} bytes exceeds the limit of {max_bytes}", source=source)
    try:
        value = json.loads(data)
    except RecursionError:
        raise InputError("JSON nested too deeply to parse", source=source) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"not valid JSON: {error}", source=source) from None
    except ValueError as error:  # an integer of more digits than Python converts
        raise InputError(f"not readable JSON: {error}", source=source) from None
    check_depth(value, max_depth=max_depth, source=source)
    return value


def check_depth(value: Any, *, max_depth: int, source: str) -> None:
    """Refuse containers nested deeper than ``max_depth`` (walked without recursion)."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, place = stack.pop()
        if isinstance(item, dict):
            children = [(v, f"{place}.{k}") for k, v in item.items()]
        elif isinstance(item, list):
            children = [(v, f"{place}[{i}]") for i, v in enumerate(item)]
        else:
            continue
        if depth > max_depth:
            raise InputError(
                f"nested deeper than {max_depth} levels", source=source, place=place or "$"
            )
        stack.extend((child, depth + 1, where) for child, where in children)


def check_count(count: int, limit: int, what: str, *, source: str, place: str) -> None:
    """Refuse a list longer than its limit."""
    if count > limit:
        raise InputError(f"{count} {what} exceeds the limit of {limit}", source=source, place=place)
