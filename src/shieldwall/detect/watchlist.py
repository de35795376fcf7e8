"""Watchlists: the indicators a member may see, matched against that member's events.

A :class:`Matcher` is built once from ``(indicator id, kind, value)`` entries and is then
read-only, so a detect worker may use it from any thread while a new one is being built.
No store and no gate here: *which* entries a member gets is the runtime's business
(``runtime/watchlists.py`` asks ``share``); this module only decides *what matches*.

Normal forms, the same for indicators and observed values (so a rule is one sentence):

- ``ip``: an address or a CIDR block, IPv4 or IPv6. Addresses are compared as integers
  (``10.0.0.1`` and ``::ffff`` forms are not mixed: IPv4 and IPv6 are separate spaces).
  Exact addresses sit in a dict; blocks are flattened into disjoint integer segments,
  sorted, and found with :func:`bisect.bisect_right`, so nested blocks all match (a
  revised matcher adds a small layer of the blocks changed since instead of sorting
  them all again).
- ``domain``: lower-case, trailing dot removed; an indicator matches the domain itself and
  every subdomain (``evil.example`` matches ``a.b.evil.example``, not ``notevil.example``).
- ``url``: scheme and host lower-case, an empty path is ``/``; the rest is case-sensitive.
  An observed URL's host is also looked up as an address or a domain.
- ``md5``/``sha1``/``sha256``/``sha512``: lower-case hex.
- ``email``: lower-case.
- ``file-name``: the last path component (``/`` or ``\\``), lower-case: Windows names are
  case-insensitive, and an indicator naming ``EVIL.EXE`` should not miss ``evil.exe``.
- ``user-agent``: exact and case-sensitive, surrounding blanks removed.

The forms are in :mod:`.watchlist_forms`, the address blocks in :mod:`.watchlist_ranges`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from socket import AF_INET, AF_INET6, inet_pton
from typing import Any

from shieldwall.detect.watchlist_fields import FIELD_KINDS, split_hashes, url_host
from shieldwall.detect.watchlist_forms import (
    HASH_LENGTHS,
    KINDS,
    NORMALS,
    ip_range,
    lower_name,
    normal,
    table_kind,
)
from shieldwall.detect.watchlist_ranges import Block, Blocks

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


class Matcher:
    """Entries of one member, ready to match observed values."""

    def __init__(self, entries: Iterable[WatchEntry]) -> None:
        self._exact_ip: dict[tuple[int, int], tuple[WatchEntry, ...]] = {}
        self._tables: dict[str, dict[str, tuple[WatchEntry, ...]]] = {
            kind: {} for kind in ("domain", *_EXACT_KINDS)
        }
        blocks: dict[int, list[Block[WatchEntry]]] = {4: [], 6: []}
        self.size = 0
        for entry in entries:
            self.size += self._add(entry, blocks)
        self._blocks = {version: Blocks(held) for version, held in blocks.items() if held}
        self._ready()

    def _ready(self) -> None:
        self._look: dict[str, Callable[[str], tuple[WatchEntry, ...]]] = {
            kind: self._exact(kind) for kind in (*_EXACT_KINDS, *HASH_LENGTHS)
        }
        self._look["ip"] = self._ip
        self._look["domain"] = self._domain
        self._look["host"] = self._host

    def __len__(self) -> int:
        """How many entries were taken (entries of unknown kind or bad value are not)."""
        return self.size

    def revised(self, removed: Iterable[WatchEntry], added: Iterable[WatchEntry]) -> Matcher:
        """A new matcher: this one less ``removed`` (entries it was given) plus ``added``.

        This one is left as it is (a worker may be reading it). The tables are copied, not
        built again, and the address blocks revised (:meth:`.Blocks.revised`), so a change
        of a few indicators among 100,000 costs a few dict copies instead of a build
        (issue 10: published or revoked, matched or not within 2 s).
        """
        new = Matcher.__new__(Matcher)
        new._exact_ip = dict(self._exact_ip)
        new._tables = {kind: dict(table) for kind, table in self._tables.items()}
        gone: set[WatchEntry] = set()
        new.size = self.size - sum(new._drop(entry, gone) for entry in removed)
        fresh: dict[int, list[Block[WatchEntry]]] = {4: [], 6: []}
        new.size += sum(new._add(entry, fresh) for entry in added)
        new._blocks = dict(self._blocks)
        for version, blocks in fresh.items():
            held = self._blocks.get(version)
            if not blocks and (held is None or not gone):
                continue  # untouched: the same blocks, segments and all
            revised = Blocks(blocks) if held is None else held.revised(gone, blocks)
            taken = (0 if held is None else len(held)) + len(blocks)
            new.size -= taken - (0 if revised is None else len(revised))
            if revised is None:
                del new._blocks[version]
            else:
                new._blocks[version] = revised
        new._ready()
        return new

    def _drop(self, entry: WatchEntry, blocks: set[WatchEntry]) -> bool:
        """Take out an entry if held (True when it was); a block is only put in
        ``blocks`` (the caller revises the blocks once)."""
        if entry.kind == "ip":
            found = ip_range(entry.value)
            if found is None:
                return False
            version, first, last = found
            if first != last:
                blocks.add(entry)
                return False
            return _without(self._exact_ip, (version, first), entry)
        if entry.kind not in KINDS:
            return False
        value = normal(entry.kind, entry.value)
        table = self._tables[table_kind(entry.kind)]
        return value is not None and _without(table, value, entry)

    def _add(self, entry: WatchEntry, blocks: dict[int, list[Block[WatchEntry]]]) -> int:
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
        value = normal(entry.kind, entry.value)
        if value is None:
            return 0
        table = self._tables[table_kind(entry.kind)]
        table[value] = (*table.get(value, ()), entry)
        return 1

    def observe(self, kind: str, value: str) -> tuple[WatchEntry, ...]:
        """Entries an observed value of ``kind`` matches (``hash`` for any digest)."""
        look = self._look.get(kind)
        return look(value) if look is not None else ()

    def _exact(self, kind: str) -> Callable[[str], tuple[WatchEntry, ...]]:
        table = table_kind(kind)
        get, form = self._tables[table].get, NORMALS[table]
        if table == "hash":  # the hot kinds get their normal form inline

            def digest(value: str) -> tuple[WatchEntry, ...]:
                return get(value.strip().lower(), ())

            return digest

        def look(value: str) -> tuple[WatchEntry, ...]:
            key = form(value)
            return get(key, ()) if key is not None else ()

        return look

    def _ip(self, text: str) -> tuple[WatchEntry, ...]:
        try:
            if ":" in text:
                version, number = 6, int.from_bytes(inet_pton(AF_INET6, text.split("%", 1)[0]))
            else:
                version, number = 4, int.from_bytes(inet_pton(AF_INET, text))
        except (OSError, ValueError):
            if text != text.strip():
                return self._ip(text.strip())
            return ()
        exact = self._exact_ip.get((version, number), ())
        ranges = self._blocks.get(version)
        return exact if ranges is None else exact + ranges.find(number)

    def _host(self, value: str) -> tuple[WatchEntry, ...]:
        """A URL's host: an address, or a domain (with its parents)."""
        return self._ip(value) or self._domain(value)

    def _domain(self, value: str) -> tuple[WatchEntry, ...]:
        get = self._tables["domain"].get
        name = lower_name(value) or ""
        hits: tuple[WatchEntry, ...] = ()
        while name:
            found = get(name)
            if found is not None:
                hits += found
            _, _, name = name.partition(".")
        return hits

    def match(self, fields: Mapping[str, Any]) -> list[Hit]:
        """Every entry matched by a field of the event (one hit per entry and field)."""
        hits: list[Hit] = []
        look = self._look.get
        for name, raw in fields.items():
            kind = FIELD_KINDS.get(name)
            if kind is None:
                continue
            if raw.__class__ is str and kind != "hashes":  # the common case, inline
                found = look(kind)
                for entry in found(raw) if found is not None else ():
                    hits.append(Hit(entry, name, raw))
                host = url_host(raw) if kind == "url" else ""
                for entry in self._host(host) if host else ():
                    hits.append(Hit(entry, name, host))
                continue
            for kind_of, observed in _observables(kind, raw):
                hits.extend(Hit(entry, name, observed) for entry in self.observe(kind_of, observed))
        return hits


def _without(table: dict[Any, tuple[WatchEntry, ...]], key: Any, entry: WatchEntry) -> bool:
    held = table.get(key, ())
    kept = tuple(found for found in held if found != entry)
    if len(kept) == len(held):
        return False
    if kept:
        table[key] = kept
    else:
        del table[key]
    return True


def _observables(kind: str, raw: Any) -> Iterator[tuple[str, str]]:
    values = raw if isinstance(raw, list) else (raw,)
    for value in values:
        if not isinstance(value, str):
            continue
        if kind == "hashes":
            for digest in split_hashes(value):
                yield "hash", digest
            continue
        yield kind, value
        if kind == "url":
            host = url_host(value)
            if host:
                yield "host", host
