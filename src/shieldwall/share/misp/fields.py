"""Typed reads from untrusted MISP JSON: every wrong type is an InputError with its place.

MISP itself is loose about types (``"1"`` and ``1`` and ``true`` for a flag, timestamps as
strings), so these accessors accept what MISP and PyMISP really emit and refuse the rest.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from shieldwall.model.errors import InputError

_TRUE = frozenset({True, "1", "true", "True"})
_FALSE = frozenset({False, "0", "false", "False", None, ""})
MAX_TIMESTAMP = 253_402_300_799  # 9999-12-31T23:59:59Z


@dataclass(frozen=True, slots=True)
class Where:
    """The input (event or file) and the place inside it, for error messages."""

    source: str
    place: str

    def at(self, suffix: str) -> Where:
        """A place further inside, e.g. ``Attribute[3]`` then ``.value``."""
        if suffix.startswith("[") or not self.place:
            return Where(self.source, self.place + suffix)
        return Where(self.source, f"{self.place}.{suffix}")

    def error(self, reason: str) -> InputError:
        """An InputError at this place."""
        return InputError(reason, source=self.source, place=self.place)


def text(obj: Mapping[str, Any], key: str, where: Where, *, limit: int, default: str = "") -> str:
    """A string property (numbers are accepted as MISP sometimes emits them)."""
    value = obj.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise where.at(key).error(f"expected text, got {type(value).__name__}")
    result = str(value)
    if len(result) > limit:
        raise where.at(key).error(f"{len(result)} characters exceeds the limit of {limit}")
    return result


def flag(obj: Mapping[str, Any], key: str, where: Where) -> bool:
    """A MISP boolean: true/false, 1/0, "1"/"0"."""
    value = obj.get(key)
    if isinstance(value, list | dict):
        raise where.at(key).error("expected a boolean")
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise where.at(key).error(f"expected a boolean, got {value!r}")


def integer(obj: Mapping[str, Any], key: str, where: Where, *, default: int) -> int:
    """An integer given as a number or a decimal string."""
    value = obj.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise where.at(key).error("expected an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 20:
        return int(value)
    raise where.at(key).error(f"expected an integer, got {value!r}")


def timestamp(obj: Mapping[str, Any], key: str, where: Where, *, default: int = 0) -> int:
    """Seconds since the epoch, within years 1970 to 9999."""
    seconds = integer(obj, key, where, default=default)
    if not 0 <= seconds <= MAX_TIMESTAMP:
        raise where.at(key).error(f"timestamp {seconds} is out of range")
    return seconds


def day(obj: Mapping[str, Any], key: str, where: Where) -> date | None:
    """A ``YYYY-MM-DD`` date, or None when absent."""
    value = obj.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise where.at(key).error("expected a YYYY-MM-DD date")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise where.at(key).error(f"not a YYYY-MM-DD date: {value[:40]!r}") from None


def uuid_text(obj: Mapping[str, Any], key: str, where: Where) -> str:
    """A UUID in canonical lower-case form; required."""
    value = obj.get(key)
    if not isinstance(value, str):
        raise where.at(key).error("missing or not a UUID")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise where.at(key).error(f"not a UUID: {value[:60]!r}") from None


def optional_uuid(obj: Mapping[str, Any], key: str, where: Where) -> str | None:
    """A UUID, or None when absent or empty."""
    if obj.get(key) in (None, ""):
        return None
    return uuid_text(obj, key, where)


def records(obj: Mapping[str, Any], key: str, where: Where, *, limit: int) -> list[dict[str, Any]]:
    """A list of JSON objects (MISP sometimes sends one object instead of a list of one)."""
    value = obj.get(key)
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise where.at(key).error("expected a list of objects")
    if len(value) > limit:
        raise where.at(key).error(f"{len(value)} entries exceed the limit of {limit}")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise where.at(f"{key}[{index}]").error("expected an object")
    return value


def mapping(obj: Mapping[str, Any], key: str, where: Where) -> dict[str, Any]:
    """A nested JSON object; empty when absent."""
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise where.at(key).error("expected an object")
    return value


def stix_time(seconds: int) -> str:
    """Epoch seconds as a STIX timestamp (millisecond precision, ``Z``)."""
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def epoch_of(stix_timestamp: str) -> int:
    """A STIX timestamp back to whole epoch seconds; InputError when it is not one."""
    try:
        moment = datetime.fromisoformat(stix_timestamp.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"not a STIX timestamp: {stix_timestamp[:40]!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())
