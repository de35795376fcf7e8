"""Observable values as index terms: IPs and CIDR blocks, domains, URLs, hashes, e-mail.

One normal form per kind, used both when indexing (from cyber observables and from
indicator patterns) and when searching, so a search finds what was indexed:
domains and e-mail addresses lower-case without a trailing dot, hashes lower-case hex,
URLs as given, IP addresses as ranges of fixed-width hex (a single address is a range of
one), so "which indicators cover 10.1.2.3" and "which touch 10.0.0.0/8" are range tests.
"""

from __future__ import annotations

import ipaddress

from shieldwall.model.intel import IndexTerm

HASH_KINDS = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
"""Hash kinds by the length of their hex digest."""

HASH_NAMES = {
    "md5": "md5",
    "sha-1": "sha1",
    "sha1": "sha1",
    "sha-256": "sha256",
    "sha256": "sha256",
    "sha-512": "sha512",
    "sha512": "sha512",
}
"""STIX hash-algorithm names (and common spellings) to our kinds."""

OBSERVABLE_KINDS = frozenset({"ip", "domain", "url", "email", *HASH_KINDS})


def ip_term(text: str) -> IndexTerm | None:
    """An address or CIDR block as a range term; None when it is neither."""
    text = text.strip()
    if "/" not in text and ":" not in text:
        return _ipv4_term(text)
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    width = 8 if network.version == 4 else 32
    lo = f"{network.version}{int(network.network_address):0{width}x}"
    hi = f"{network.version}{int(network.broadcast_address):0{width}x}"
    return IndexTerm("ip", str(network), lo, hi)


def _ipv4_term(text: str) -> IndexTerm | None:
    """A single IPv4 address, the common case, without building a network object."""
    octets = text.split(".")
    if len(octets) != 4 or not all(_is_octet(octet) for octet in octets):
        return None
    number = 0
    for octet in octets:
        number = number << 8 | int(octet)
    return IndexTerm("ip", f"{text}/32", f"4{number:08x}", f"4{number:08x}")


def _is_octet(text: str) -> bool:
    """Decimal 0-255 without leading zeros: what :class:`ipaddress.IPv4Address` accepts."""
    if not (0 < len(text) <= 3 and text.isascii() and text.isdigit()):
        return False
    return (text == "0" or text[0] != "0") and int(text) <= 255


def term(kind: str, value: str) -> IndexTerm | None:
    """The normal-form term for a value of a known kind; None when it does not fit."""
    value = value.strip()
    if not value or len(value) > 512:
        return None
    if kind == "ip":
        return ip_term(value)
    if kind in HASH_KINDS:
        digest = value.lower()
        if len(digest) != HASH_KINDS[kind] or not _is_hex(digest):
            return None
        return IndexTerm(kind, digest)
    if kind in ("domain", "email"):
        return IndexTerm(kind, value.lower().rstrip("."))
    if kind == "url":
        return IndexTerm(kind, value)
    return None


def search_terms(text: str) -> tuple[IndexTerm, ...]:
    """What a free-text observable search means: guess the kind from the value's shape."""
    value = text.strip()
    ip = ip_term(value)
    if ip is not None:
        return (ip,)
    if _is_hex(value.lower()):
        for kind, length in HASH_KINDS.items():
            if len(value) == length:
                found = term(kind, value)
                return (found,) if found else ()
    kind = "url" if "://" in value else "email" if "@" in value else "domain"
    found = term(kind, value)
    return (found,) if found else ()


def _is_hex(text: str) -> bool:
    return bool(text) and all(c in "0123456789abcdef" for c in text)
