"""Reading a playbook's text under budgets: JSON, or the YAML authoring form.

Size is checked before parsing, nesting and string lengths before anything looks at the
content, so a hostile document costs at most its budget. YAML goes through the project's
bounded loader (aliases, expansion and depth limited) and must come out as plain JSON
values; a timestamp YAML read as a date is written back in the specification's form.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import orjson

from shieldwall.bounded import YamlLimits, load_yaml
from shieldwall.model.errors import InputError, LimitExceededError
from shieldwall.respond.playbooks.limits import DEFAULT_LIMITS, PlaybookLimits

_SCALARS = (str, int, float, bool, type(None))


def read_json(data: bytes | str, limits: PlaybookLimits = DEFAULT_LIMITS) -> Any:
    """The JSON value of ``data``; InputError when it is not JSON or breaks a budget."""
    raw = data.encode() if isinstance(data, str) else data
    _check_size(len(raw), limits)
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc}", source="playbook") from exc
    check_shape(value, limits)
    return value


def read_yaml(text: str, limits: PlaybookLimits = DEFAULT_LIMITS) -> Any:
    """The YAML authoring form, read by the bounded loader and turned into JSON values."""
    _check_size(len(text.encode()), limits)
    value = load_yaml(text, source="playbook", limits=YamlLimits(depth=limits.max_depth))
    plain = _plain(value, "")
    check_shape(plain, limits)
    return plain


def _check_size(size: int, limits: PlaybookLimits) -> None:
    if size > limits.max_bytes:
        raise LimitExceededError(
            f"the playbook is {size} bytes, more than {limits.max_bytes}",
            limit="max_bytes",
            source="playbook",
        )


def check_shape(value: Any, limits: PlaybookLimits) -> None:
    """Nesting and string length, walked without recursion (a deep document cannot crash it)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limits.max_depth:
            raise LimitExceededError(
                f"nested deeper than {limits.max_depth}", limit="max_depth", source="playbook"
            )
        if isinstance(item, str) and len(item) > limits.max_string:
            raise LimitExceededError(
                f"a string longer than {limits.max_string} characters",
                limit="max_string",
                source="playbook",
            )
        if isinstance(item, Mapping):
            stack.extend((key, depth + 1) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def _plain(value: Any, place: str) -> Any:
    """YAML's values as JSON's: string keys, dates as CACAO timestamps, nothing else."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, child in value.items():
            if not isinstance(key, str):
                raise InputError("keys must be strings", source="playbook", place=place)
            out[key] = _plain(child, f"{place}.{key}" if place else key)
        return out
    if isinstance(value, list):
        return [_plain(child, f"{place}[{index}]") for index, child in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError("numbers must be finite", source="playbook", place=place)
    if isinstance(value, _SCALARS):
        return value
    raise InputError(f"not a JSON value: {type(value).__name__}", source="playbook", place=place)
