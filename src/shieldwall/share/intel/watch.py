"""What an indicator gives an organisation's watchlist, and when the watchlists must look again.

Which indicators an organisation may act on is read through the gate by :mod:`.watch_read`
(as an export for the organisation is: its viewer, no person, so TLP:RED never becomes a
watchlist entry; the channel's maximum, TLP:AMBER+STRICT). Only the newest version of
each indicator counts, and only while it is current: not ``revoked``, its ``valid_until``
not passed, and not *decayed*: its score (:mod:`.scoring`, from the sightings the
organisation may count) still at or above the threshold, the instant it falls below being
the ``x_shieldwall_valid_until`` a search shows the same organisation. Each comparison of
the pattern for equality or membership (or CIDR subset) gives one entry; an indicator of
another pattern language gives none. A pattern that is more than such comparisons joined
by ``OR`` (observation ``AND``/``FOLLOWEDBY``, a qualifier, ``NOT``, ``!=``, ``<``,
``LIKE``, ``MATCHES``…) gives no entry but a stream pattern
(:mod:`shieldwall.detect.stix_pattern`): it alerts only when whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from shieldwall.detect.stix_pattern import StreamPattern, compile_pattern
from shieldwall.detect.watchlist import WatchEntry
from shieldwall.model.errors import InputError
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.egress import Channel, ChannelKind
from shieldwall.share.intel.extract import comparison_terms
from shieldwall.share.intel.pattern_check import plain_comparison
from shieldwall.share.intel.pattern_read import Comparison, PatternError, read_pattern
from shieldwall.share.intel.sightings import Sighting, indicator_score
from shieldwall.share.intel.validate import parse_timestamp
from shieldwall.store.protocols import Store

WATCH_CHANNEL = Channel("watchlist", ChannelKind.FEED, TlpLevel.AMBER_STRICT)
"""Watchlists serve an organisation as a whole: never TLP:RED."""

LEVELS = frozenset({"informational", "low", "medium", "high", "critical"})
LEVEL_PROPERTY = "x_shieldwall_level"
"""An indicator may say how loud its alerts are; ``medium`` when it does not."""

_EXTRA_PATHS = {("file", "name"): "file-name"}


@dataclass(frozen=True, slots=True)
class WatchSet:
    """An organisation's entries now, and when the first of them expires (rebuild then);
    ``patterns``: its indicators whose patterns only a window over the stream matches;
    ``expiries``: when each current indicator stops being current (its ``valid_until`` or
    the instant it decays, the earlier), so that one alone is read again then."""

    entries: list[WatchEntry]
    next_expiry: datetime | None
    patterns: list[StreamPattern] = field(default_factory=list)
    expiries: dict[str, datetime] = field(default_factory=dict)


def end_of(
    obj: Mapping[str, Any], version: str, seen: Sequence[Sighting], now: datetime
) -> datetime | None:
    """When a current indicator stops being current (its ``valid_until`` or the instant
    it decays, the earlier), from the sightings the organisation may count
    (:func:`.sightings.countable_sightings_of`); None when it has decayed already."""
    decays = indicator_score(obj, _instant(version), seen, now).valid_until
    if decays <= now:
        return None
    until = _valid_until(obj)
    return decays if until is None else min(until, decays)


def _instant(stamp: str) -> datetime:
    """A stored version's timestamp (the store writes them in one form, read by the fast
    standard parser; anything else by the validating one)."""
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        return parse_timestamp(stamp)


def _valid_until(obj: Mapping[str, Any]) -> datetime | None:
    until = obj.get("valid_until")
    return None if until is None else parse_timestamp(str(until))


def last_change(store: Store) -> int:
    """A number that changes whenever an indicator is published, revoked or deleted.

    Sightings and other objects leave it alone, so reporting a sighting of a watchlist
    hit does not make every watchlist rebuild.
    """
    with store.reading() as tx:
        return tx.intel.last_seq("indicator")


def changed_indicators(store: Store, after: int) -> tuple[set[str], int]:
    """Ids of indicators published, revoked, narrowed or deleted after the change number
    ``after`` (of :func:`last_change`), and the change number they bring it to."""
    with store.reading() as tx:
        last = tx.intel.last_seq("indicator")
        return (tx.intel.changed_since("indicator", after) if last != after else set()), last


def is_current(obj: Mapping[str, Any], now: datetime) -> bool:
    """Not revoked, and not past its ``valid_until`` (an unreadable one counts as passed)."""
    if obj.get("revoked") is True:
        return False
    until = obj.get("valid_until")
    if until is None:
        return True
    try:
        return parse_timestamp(str(until)) > now
    except ValueError:
        return False


def parts_of(obj: Mapping[str, Any]) -> tuple[tuple[WatchEntry, ...], StreamPattern | None]:
    """The watchlist entries of one indicator, or its pattern for the stream (one of the
    two is empty; both when its pattern is not STIX or bad)."""
    if obj.get("pattern_type") != "stix":
        return (), None
    found = stream_pattern_of(obj)
    if found is not None:
        return (), found
    return _plain_entries(str(obj.get("id", "")), _pattern(obj), level_of(obj)), None


def entries_of(obj: Mapping[str, Any]) -> list[WatchEntry]:
    """The watchlist entries of one indicator (none when its pattern is not STIX or bad)."""
    if obj.get("pattern_type") != "stix" or stream_pattern_of(obj) is not None:
        return []
    return list(_plain_entries(str(obj.get("id", "")), _pattern(obj), level_of(obj)))


def _pattern(obj: Mapping[str, Any]) -> str:
    return str(obj.get("pattern", ""))


@lru_cache(maxsize=262_144)
def _plain_entries(ident: str, pattern: str, level: str) -> tuple[WatchEntry, ...]:
    """The entries of a plain pattern, read once per indicator version whichever members'
    watchlists hold it and however often they are built (the entries are shared too)."""
    try:
        comparisons = read_pattern(pattern)
    except PatternError:
        return ()
    found = {(t.kind, _single(t.kind, t.value)) for t in comparison_terms(comparisons)}
    found.update(_extra(comparisons))
    return tuple(WatchEntry(ident, kind, value, level) for kind, value in sorted(found))


def level_of(obj: Mapping[str, Any]) -> str:
    """How loud the indicator's alerts are (``medium`` unless it says otherwise)."""
    level = str(obj.get(LEVEL_PROPERTY, "medium")).lower()
    return level if level in LEVELS else "medium"


def stream_pattern_of(obj: Mapping[str, Any]) -> StreamPattern | None:
    """The indicator's pattern for the stream, or None: not STIX, unreadable, over the
    budgets, or plain (the watchlist's entries match it)."""
    pattern = str(obj.get("pattern", ""))
    if obj.get("pattern_type") != "stix" or plain_comparison(pattern) is not None:
        return None
    return _compiled(str(obj.get("id", "")), pattern, level_of(obj))


@lru_cache(maxsize=65_536)
def _compiled(ident: str, pattern: str, level: str) -> StreamPattern | None:
    """Compiled once per indicator version, whichever members' watchlists hold it."""
    try:
        compiled = compile_pattern(ident, pattern, level)
    except InputError:
        return None
    return None if compiled.plain else compiled


def _single(kind: str, value: str) -> str:
    """A one-address block is shown (and titled) as the address it is."""
    if kind == "ip" and value.endswith(("/32", "/128")):
        address = value.rsplit("/", 1)[0]
        return address if value.endswith("/128") == (":" in address) else value
    return value


def _extra(comparisons: tuple[Comparison, ...]) -> Iterator[tuple[str, str]]:
    """File names and HTTP user agents, which the search index does not hold."""
    for comparison in comparisons:
        if comparison.operator != "=":
            continue
        kind = _EXTRA_PATHS.get((comparison.object_type, ".".join(comparison.path)))
        last = comparison.path[-1].strip("'\"").lower() if comparison.path else ""
        if comparison.object_type == "network-traffic" and last == "user-agent":
            kind = "user-agent"
        literal = comparison.literal.strip()
        if kind is not None and len(literal) >= 2 and literal[0] == literal[-1] == "'":
            yield kind, literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")
