"""Normal forms of watched values, the same for indicators and observed values.

So that "does this value match that entry" is one dict look-up (or one bisection for
address blocks), both sides are brought to one form first (:mod:`.watchlist` says which
form each kind takes and why).
"""

from __future__ import annotations

from collections.abc import Callable
from socket import AF_INET, AF_INET6, inet_pton

HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
KINDS = frozenset({"ip", "domain", "url", "email", "file-name", "user-agent", *HASH_LENGTHS})
"""Every kind of entry a matcher holds."""


def lower_name(text: str) -> str | None:
    """A domain or e-mail address: lower-case, trailing dots and blanks removed."""
    value = text.strip().lower().rstrip(".")
    while value != value.strip():  # "a. ." : blanks and dots until neither is left
        value = value.strip().rstrip(".")
    return value or None


def _file_name(text: str) -> str | None:
    return text.replace("\\", "/").rsplit("/", 1)[-1].strip().lower() or None


def _url(text: str) -> str | None:
    """Scheme and host lower-case, ``/`` for an empty path; without ``://`` as given."""
    text = text.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text or None
    cut = len(rest)
    for mark in "/?#":
        at = rest.find(mark, 0, cut)
        if at >= 0:
            cut = at
    tail = rest[cut:]
    return f"{scheme.lower()}://{rest[:cut].lower()}{tail if tail[:1] == '/' else '/' + tail}"


def _digest(text: str) -> str | None:
    return text.strip().lower() or None


def _stripped(text: str) -> str | None:
    return text.strip() or None


NORMALS: dict[str, Callable[[str], str | None]] = {
    "domain": lower_name,
    "email": lower_name,
    "url": _url,
    "file-name": _file_name,
    "user-agent": _stripped,
    "hash": _digest,
}
"""Table kind (``hash`` for every digest) -> its normal form (None: no usable value)."""


def table_kind(kind: str) -> str:
    """The table an entry kind sits in: one ``hash`` table for every digest kind."""
    return "hash" if kind in HASH_LENGTHS else kind


def normal(kind: str, value: str) -> str | None:
    """The normal form of a value of ``kind`` (exact kinds; IPs are parsed elsewhere)."""
    form = NORMALS.get(table_kind(kind))
    return form(value) if form is not None else None


def ip_int(text: str) -> tuple[int, int] | None:
    """(version, integer) of an address written in the standard way; None otherwise."""
    try:
        if ":" in text:
            return 6, int.from_bytes(inet_pton(AF_INET6, text.split("%", 1)[0]))
        return 4, int.from_bytes(inet_pton(AF_INET, text))
    except (OSError, ValueError):
        return None


def ip_range(text: str) -> tuple[int, int, int] | None:
    """(version, first, last) of an address or a CIDR block (host bits ignored)."""
    address, _, prefix = text.strip().partition("/")
    found = ip_int(address)
    if found is None:
        return None
    version, number = found
    width = 32 if version == 4 else 128
    try:
        bits = int(prefix) if prefix else width
    except ValueError:
        return None
    if not 0 <= bits <= width:
        return None
    span = (1 << (width - bits)) - 1
    first = number & ~span
    return version, first, first | span
