"""TAXII 2.1 query parameters to a store query.

Standard filters: ``added_after``, ``limit``, ``next``, ``match[id]``, ``match[type]``,
``match[version]`` (``last`` by default; ``first``, ``all`` and explicit timestamps, in any
combination) and ``match[spec_version]``. Values of one filter are comma-separated and
OR-ed; different filters are AND-ed.

Shieldwall adds ``match[label]``, ``match[technique]`` (ATT&CK ids such as ``T1059.001``),
``match[observable]`` (an IP, CIDR, domain, URL, hash or e-mail address),
``match[producer]`` (organisation ids) and ``match[marking]`` (marking-definition ids).
Any other ``match[...]`` field is refused with 400 (never silently ignored, since an
ignored filter returns more than the caller asked for); other parameters are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shieldwall.model.errors import InputError
from shieldwall.model.intel import IndexTerm, IntelQuery, VersionSelector
from shieldwall.share.intel.observables import search_terms
from shieldwall.share.intel.validate import parse_timestamp

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
KNOWN_MATCH = frozenset(
    {
        "id",
        "type",
        "version",
        "spec_version",
        "label",
        "technique",
        "observable",
        "producer",
        "marking",
    }
)
_SELECTORS = {s.value: s for s in VersionSelector}


@dataclass(frozen=True, slots=True)
class Paging:
    """The filter and the page the caller asked for."""

    query: IntelQuery
    limit: int
    next_token: str | None
    filter_parts: tuple[tuple[str, str], ...]
    """Every parameter that shapes the result (``next`` and ``limit`` excepted)."""


def parse_paging(params: Iterable[tuple[str, str]], *, default_versions: str = "last") -> Paging:
    """Parse query parameters; InputError (400) naming the bad parameter."""
    pairs = list(params)
    single = dict(pairs)
    match = _match_fields(pairs)
    query = IntelQuery(
        ids=match.get("id", ()),
        types=match.get("type", ()),
        spec_versions=match.get("spec_version", ()),
        added_after=_timestamp(single.get("added_after"), "added_after"),
        labels=match.get("label", ()),
        techniques=tuple(t.upper() for t in match.get("technique", ())),
        terms=_observables(match.get("observable", ())),
        producers=match.get("producer", ()),
        marking_refs=match.get("marking", ()),
        **_versions(match.get("version", (default_versions,))),
    )
    parts = tuple((k, v) for k, v in pairs if k not in ("next", "limit"))
    return Paging(query, parse_limit(single.get("limit")), single.get("next"), parts)


def parse_plain_paging(params: Iterable[tuple[str, str]], what: str) -> Paging:
    """Paging for collections computed on read (revocations, measures): only ``id``,
    ``type``, ``spec_version`` and ``added_after`` apply; any other filter is a 400."""
    paging = parse_paging(params)
    query = paging.query
    if any((query.labels, query.techniques, query.terms, query.producers, query.marking_refs)):
        raise InputError(f"only id, type, spec_version and added_after filter {what}")
    if query.explicit_versions:
        raise InputError(f"{what} take no explicit match[version]", place="match[version]")
    return paging


def parse_limit(text: str | None) -> int:
    """A positive integer, capped at :data:`MAX_LIMIT`; 400 otherwise."""
    if text is None:
        return DEFAULT_LIMIT
    if not text.isdigit() or int(text) <= 0:
        raise InputError("limit must be a positive integer", place="limit")
    return min(int(text), MAX_LIMIT)


def _match_fields(pairs: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    fields: dict[str, tuple[str, ...]] = {}
    for key, value in pairs:
        if not key.startswith("match["):
            continue
        name = key[6:-1] if key.endswith("]") else ""
        if name not in KNOWN_MATCH:
            raise InputError(f"unsupported filter {key}", place=key)
        values = tuple(v.strip() for v in value.split(",") if v.strip())
        if not values:
            raise InputError(f"{key} is empty", place=key)
        fields[name] = fields.get(name, ()) + values
    return fields


def _versions(values: tuple[str, ...]) -> dict[str, Any]:
    selectors: set[VersionSelector] = set()
    explicit: list[datetime] = []
    for value in values:
        if value in _SELECTORS:
            selectors.add(_SELECTORS[value])
        else:
            stamp = _timestamp(value, "match[version]")
            if stamp is not None:
                explicit.append(stamp)
    return {"versions": frozenset(selectors), "explicit_versions": tuple(explicit)}


def _timestamp(text: str | None, place: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_timestamp(text)
    except ValueError as exc:
        raise InputError(f"{place} is not a UTC timestamp ({exc})", place=place) from exc


def _observables(values: tuple[str, ...]) -> tuple[IndexTerm, ...]:
    terms: list[IndexTerm] = []
    for value in values:
        found = search_terms(value)
        if not found:
            raise InputError(f"cannot read observable {value!r}", place="match[observable]")
        terms.extend(found)
    return tuple(terms)
