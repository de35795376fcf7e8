"""Search filters as the REST API takes them, turned into an :class:`IntelQuery`.

Each filter names the place of a bad value (``query.observable`` ...), so the caller can
fix it. Observables are recognised by shape (:func:`.observables.search_terms`): an IPv4
or IPv6 address or CIDR block (matched by range overlap), an MD5/SHA-1/SHA-256/SHA-512
digest, a URL (``://``), an e-mail address (``@``), else a domain. Markings are
marking-definition ids or TLP labels (``TLP:AMBER``; TLP 1.0 and 2.0 ids of the level
both match; ``TLP:WHITE`` is ``TLP:CLEAR``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shieldwall.model.errors import InputError
from shieldwall.model.intel import IndexTerm, IntelQuery, VersionSelector
from shieldwall.policy.markings import PINNED
from shieldwall.share.intel.observables import search_terms
from shieldwall.share.intel.validate import parse_timestamp

_LABEL_ALIASES = {"TLP:WHITE": "TLP:CLEAR"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Filters:
    """The REST search filters (every list OR-ed inside, every filter AND-ed)."""

    types: Sequence[str] = ()
    ids: Sequence[str] = ()
    labels: Sequence[str] = ()
    techniques: Sequence[str] = ()
    observables: Sequence[str] = ()
    producers: Sequence[str] = ()
    markings: Sequence[str] = ()
    added_after: str | None = None
    modified_after: str | None = None
    modified_before: str | None = None
    versions: str = "last"


def build_query(filters: Filters) -> IntelQuery:
    """The store query for these filters; InputError naming the bad one."""
    return IntelQuery(
        ids=tuple(filters.ids),
        types=tuple(filters.types),
        versions=frozenset({_selector(filters.versions)}),
        added_after=_time(filters.added_after, "added_after"),
        labels=tuple(filters.labels),
        techniques=tuple(t.strip().upper() for t in filters.techniques),
        terms=_terms(filters.observables),
        producers=tuple(filters.producers),
        marking_refs=_markings(filters.markings),
        version_after=_time(filters.modified_after, "modified_after"),
        version_before=_time(filters.modified_before, "modified_before"),
    )


def _selector(text: str) -> VersionSelector:
    try:
        return VersionSelector(text)
    except ValueError as exc:
        raise InputError("must be last, first or all", place="query.versions") from exc


def _time(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_timestamp(text)
    except ValueError as exc:
        raise InputError(f"{exc}; use e.g. 2024-01-31T00:00:00Z", place=f"query.{name}") from exc


def _terms(values: Sequence[str]) -> tuple[IndexTerm, ...]:
    terms: list[IndexTerm] = []
    for value in values:
        found = search_terms(value)
        if not found:
            raise InputError(
                f"{value!r} is not an IP, CIDR, domain, URL, hash or e-mail address",
                place="query.observable",
            )
        terms.extend(found)
    return tuple(terms)


def _markings(values: Sequence[str]) -> tuple[str, ...]:
    refs: list[str] = []
    for value in values:
        if value.startswith("marking-definition--"):
            refs.append(value)
            continue
        label = _LABEL_ALIASES.get(value.upper(), value.upper())
        matching = [ident for ident, pinned in PINNED.items() if pinned.level.label == label]
        if not matching:
            raise InputError(
                f"{value!r} is neither a marking-definition id nor a TLP label",
                place="query.marking",
            )
        refs.extend(matching)
    return tuple(refs)
