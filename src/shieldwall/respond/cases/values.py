"""What people type into a case, checked once: TLP labels, texts, shifts, observables, names.

Each check returns the value as kept or raises an :class:`InputError` naming the field,
so the API answers 422 with a problem document and the CLI one red line, and nothing is
written.
"""

from __future__ import annotations

import ipaddress
import re

from shieldwall.model.errors import InputError
from shieldwall.model.sharing import TlpLevel

TLP_NAMES: dict[str, TlpLevel] = {
    "clear": TlpLevel.CLEAR,
    "white": TlpLevel.CLEAR,
    "green": TlpLevel.GREEN,
    "amber": TlpLevel.AMBER,
    "amber+strict": TlpLevel.AMBER_STRICT,
    "red": TlpLevel.RED,
}
"""TLP labels as typed (``amber+strict``, ``TLP:RED``), TLP 1.0 WHITE as CLEAR."""

SHIFT = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_HEX = re.compile(r"^[0-9a-f]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,253}$")
_HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64}
OBSERVABLE_TYPES = ("ip", "domain", "url", "email", "md5", "sha1", "sha256", "file-name")
"""What an observable may be; its value is checked (and normalised) for its type."""
MAX_TEXT = 10_000
MAX_NAME = 255


def tlp_level(label: str) -> TlpLevel:
    """A TLP level from its label (``amber``, ``TLP:AMBER+STRICT``); InputError otherwise."""
    key = label.strip().lower().removeprefix("tlp:")
    if key not in TLP_NAMES:
        raise InputError(f"unknown TLP label {label!r}", place="tlp")
    return TLP_NAMES[key]


def tlp_label(level: TlpLevel) -> str:
    """The label a level is shown as (``amber+strict``)."""
    return level.name.lower().replace("_", "+")


def text(value: str, place: str, limit: int = MAX_TEXT) -> str:
    """A non-empty text of at most ``limit`` characters, stripped, without NUL."""
    kept = value.strip()
    if not kept:
        raise InputError("cannot be empty", place=place)
    if len(kept) > limit:
        raise InputError(f"at most {limit} characters", place=place)
    if "\x00" in kept:
        raise InputError("contains a NUL character", place=place)
    return kept


def shift(value: str) -> str:
    """A shift's name: lower-case letters, digits and inner hyphens (``night``, ``day-2``)."""
    if not SHIFT.match(value):
        raise InputError("a shift is 1-64 lower-case letters, digits or hyphens", place="shift")
    return value


def file_name(value: str) -> str:
    """An evidence file's name: no path, no control characters, at most 255 characters."""
    kept = text(value, "name", MAX_NAME)
    if any(ch in kept for ch in "/\\") or any(ord(ch) < 32 or ord(ch) == 127 for ch in kept):
        raise InputError("a file name without path separators or control characters", place="name")
    if kept in (".", ".."):
        raise InputError("not a file name", place="name")
    return kept


def observable(kind: str, value: str) -> str:
    """The observable's value as kept for its type; InputError when it is not one."""
    if kind not in OBSERVABLE_TYPES:
        raise InputError(f"type must be one of {', '.join(OBSERVABLE_TYPES)}", place="type")
    raw = text(value, "value", 2048)
    kept = raw.lower() if kind in ("domain", "md5", "sha1", "sha256", "email") else raw
    if not _valid(kind, kept):
        raise InputError(f"not a valid {kind}", place="value")
    return _normal(kind, kept)


def _valid(kind: str, value: str) -> bool:
    if kind == "ip":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
        return True
    if kind in _HASH_LENGTHS:
        return len(value) == _HASH_LENGTHS[kind] and bool(_HEX.match(value))
    if kind == "domain":
        return bool(_DOMAIN.match(value.rstrip(".")))
    if kind == "url":
        return value.startswith(("http://", "https://")) and len(value) > 8 and " " not in value
    if kind == "email":
        return bool(_EMAIL.match(value))
    return file_name_ok(value)


def file_name_ok(value: str) -> bool:
    """Whether ``value`` would pass :func:`file_name`."""
    try:
        file_name(value)
    except InputError:
        return False
    return True


def _normal(kind: str, value: str) -> str:
    if kind == "ip":
        return str(ipaddress.ip_address(value))
    if kind == "domain":
        return value.rstrip(".")
    return value
