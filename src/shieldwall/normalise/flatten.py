"""Nested JSON objects to one flat mapping of dotted names (ECS style), within bounds."""

from __future__ import annotations

from typing import Any

from shieldwall.normalise.limits import MAX_DEPTH, MAX_FIELDS


class FlattenError(ValueError):
    """The object is nested too deep or has too many fields to be one event."""


def flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` → ``{"a.b": 1}``. Lists are kept as lists (values of one field).

    Keys that already contain dots (``"id.orig_h"`` in Zeek) stay as they are, so nested and
    pre-dotted spellings of the same name meet. An empty object becomes no field. Raises
    :class:`FlattenError` past :data:`MAX_DEPTH` levels or :data:`MAX_FIELDS` fields.
    """
    out: dict[str, Any] = {}
    _walk(obj, prefix, out, 0)
    return out


def _walk(obj: dict[str, Any], prefix: str, out: dict[str, Any], depth: int) -> None:
    if depth >= MAX_DEPTH:
        raise FlattenError(f"nested deeper than {MAX_DEPTH} levels")
    for key, value in obj.items():
        name = prefix + key
        if type(value) is dict:
            _walk(value, name + ".", out, depth + 1)
        elif type(value) is list:
            out[name] = [_plain(item, depth + 1) for item in value]
        else:
            out[name] = value
        if len(out) > MAX_FIELDS:
            raise FlattenError(f"more than {MAX_FIELDS} fields")


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when lists and objects nest in ``value`` more than ``limit`` levels.

    A loop, level by level, so a hostile value (orjson accepts 1,024 levels) cannot exhaust
    the stack here as it would in any recursive walk. A scalar costs two type checks.
    """
    kind = type(value)
    if kind is not dict and kind is not list:
        return False
    level = [value]
    for _ in range(limit):
        below = []
        for item in level:
            for child in item.values() if type(item) is dict else item:
                if type(child) is dict or type(child) is list:
                    below.append(child)
        if not below:
            return False
        level = below
    return True


def _plain(value: Any, depth: int) -> Any:
    """A list item: objects inside lists are flattened in place (``[{"a.b": 1}]``)."""
    if depth >= MAX_DEPTH:
        raise FlattenError(f"nested deeper than {MAX_DEPTH} levels")
    if type(value) is dict:
        return _flatten_within(value, depth + 1)
    if type(value) is list:
        return [_plain(item, depth + 1) for item in value]
    return value


def _flatten_within(obj: dict[str, Any], depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _walk(obj, "", out, depth)
    return out
