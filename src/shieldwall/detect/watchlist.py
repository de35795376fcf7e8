"""Watchlists: the indicators a member may see, matched against that member's events.

A :class:`Matcher` is built once from ``(indicator id, kind, value)`` entries and is then
read-only, so a detect worker may use it from any thread while a new one is being built.
No store and no gate here: *which* entries a member gets is the runtime's business
(``runtime/watchlists.py`` asks ``share``); this module only decides *what matches*.

Normal forms, the same for indicators and observed values (so a rule is one sentence):

- ``ip``: an address or a CIDR block, IPv4 or IPv6. Addresses are compared as integers
  (``10.0.0.1`` and ``::ffff`` forms are not mixed: IPv4 and IPv6 are separate spaces).
  Exact addresses sit in a dict; blocks are flattened into disjoint integer segments,
  sorted, and found with :func:`bisect.bisect_right`, so nested blocks all match.
- ``domain``: lower-case, trailing dot removed; an indicator matches the domain itself and
  every subdomain (``evil.example`` matches ``a.b.evil.example``, not ``notevil.example``).
- ``url``: scheme and host lower-case, an empty path is ``/``; the rest is case-sensitive.
- ``md5``/``sha1``/``sha256``/``sha512``: lower-case hex.
- ``email``: lower-case.
- ``file-name``: the last path component (``/`` or ``\\``), lower-case: Windows names are
  case-insensitive, and an indicator naming ``EVIL.EXE`` should not miss ``evil.exe``.
- ``user-agent``: exact and case-sensitive, surrounding blanks removed.
"""

from __future__ import annotations

import socket
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from shieldwall.detect.watchlist_fields import FIELD_KINDS, split_hashes

HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
KINDS = frozenset({"ip", "domain", "url", "email", "file-name", "user-agent", *HASH_LENGTHS})
"""Every kind of entry a matcher holds."""

_EXACT_KINDS = ("url", "email", "file-name", "user-agent", "hash")


@dataclass(frozen=True, slots=True)
class WatchEntry:
    """One observable of one indicator, as the watchlist holds it."""

    indicator_id: str
    kind: str
    value: str
    level: str = "medium"


@dataclass(frozen=True, slots=True)
class Hit:
    """An entry matched by the value of one event field."""

    entry: WatchEntry
    field: str
    observed: str


def normal(kind: str, value: str) -> str | None:
    """The normal form of a value of ``kind`` (exact kinds; IPs are parsed elsewhere)."""
    text = value.strip()
    if not text:
        return None
    if kind in ("domain", "email"):
        return text.lower().rstrip(".") or None
    if kind == "url":
        return _url(text)
    if kind == "file-name":
        return text.replace("\\", "/").rsplit("/", 1)[-1].lower() or None
    if kind in HASH_LENGTHS or kind == "hash":
        return text.lower()
    return text


def _url(text: str) -> str | None:
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}{query}"


def ip_int(text: str) -> tuple[int, int] | None:
    """(version, integer) of an address written in the standard way; None otherwise."""
    try:
        if ":" in text:
            return 6, int.from_bytes(socket.inet_pton(socket.AF_INET6, text.split("%", 1)[0]))
        return 4, int.from_bytes(socket.inet_pton(socket.AF_INET, text))
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


class _Ranges:
    """Possibly nested integer ranges flattened into sorted disjoint segments."""

    def __init__(self, ranges: Iterable[tuple[int, int, WatchEntry]]) -> None:
        edges: dict[int, list[tuple[bool, WatchEntry]]] = {}
        for first, last, entry in ranges:
            edges.setdefault(first, []).append((True, entry))
            edges.setdefault(last + 1, []).append((False, entry))
        active: dict[int, WatchEntry] = {}
        self.starts: list[int] = []
        self.entries: list[tuple[WatchEntry, ...]] = []
        for point in sorted(edges):
            for opening, entry in edges[point]:
                if opening:
                    active[id(entry)] = entry
                else:
                    active.pop(id(entry), None)
            self.starts.append(point)
            self.entries.append(tuple(active.values()))

    def find(self, number: int) -> tuple[WatchEntry, ...]:
        at = bisect_right(self.starts, number) - 1
        return self.entries[at] if at >= 0 else ()


class Matcher:
    """Entries of one member, ready to match observed values."""

    def __init__(self, entries: Iterable[WatchEntry]) -> None:
        self._exact_ip: dict[tuple[int, int], tuple[WatchEntry, ...]] = {}
        self._tables: dict[str, dict[str, tuple[WatchEntry, ...]]] = {
            kind: {} for kind in ("domain", *_EXACT_KINDS)
        }
        blocks: dict[int, list[tuple[int, int, WatchEntry]]] = {4: [], 6: []}
        self.size = 0
        for entry in entries:
            self.size += self._add(entry, blocks)
        self._blocks = {v: _Ranges(found) for v, found in blocks.items() if found}

    def __len__(self) -> int:
        """How many entries were taken (entries of unknown kind or bad value are not)."""
        return self.size

    def _add(self, entry: WatchEntry, blocks: dict[int, list[tuple[int, int, WatchEntry]]]) -> int:
        if entry.kind == "ip":
            found = ip_range(entry.value)
            if found is None:
                return 0
            version, first, last = found
            if first == last:
                key = (version, first)
                self._exact_ip[key] = (*self._exact_ip.get(key, ()), entry)
            else:
                blocks[version].append((first, last, entry))
            return 1
        if entry.kind not in KINDS:
            return 0
        table_kind = "hash" if entry.kind in HASH_LENGTHS else entry.kind
        value = normal(entry.kind, entry.value)
        if value is None:
            return 0
        table = self._tables[table_kind]
        table[value] = (*table.get(value, ()), entry)
        return 1

    def observe(self, kind: str, value: str) -> tuple[WatchEntry, ...]:
        """Entries an observed value of ``kind`` matches (``hash`` for any digest)."""
        if kind == "ip":
            return self._ip(value.strip())
        if kind == "domain":
            return self._domain(value)
        table = self._tables.get("hash" if kind in HASH_LENGTHS else kind)
        if table is None:
            return ()
        key = normal(kind, value)
        return table.get(key, ()) if key is not None else ()

    def _ip(self, text: str) -> tuple[WatchEntry, ...]:
        found = ip_int(text)
        if found is None:
            return ()
        exact = self._exact_ip.get(found, ())
        ranges = self._blocks.get(found[0])
        if ranges is None:
            return exact
        return exact + ranges.find(found[1])

    def _domain(self, value: str) -> tuple[WatchEntry, ...]:
        table = self._tables["domain"]
        name = value.strip().lower().rstrip(".")
        hits: tuple[WatchEntry, ...] = ()
        while name:
            hits += table.get(name, ())
            _, _, name = name.partition(".")
        return hits

    def match(self, fields: Mapping[str, Any]) -> list[Hit]:
        """Every entry matched by a field of the event (one hit per entry and field)."""
        hits: list[Hit] = []
        for name, raw in fields.items():
            kind = FIELD_KINDS.get(name)
            if kind is None or raw is None:
                continue
            for kind_of, observed in _observables(kind, raw):
                hits.extend(Hit(entry, name, observed) for entry in self.observe(kind_of, observed))
        return hits


def _observables(kind: str, raw: Any) -> Iterator[tuple[str, str]]:
    values = raw if isinstance(raw, list) else (raw,)
    for value in values:
        if not isinstance(value, str):
            continue
        if kind == "hashes":
            for digest in split_hashes(value):
                yield "hash", digest
        else:
            yield kind, value
