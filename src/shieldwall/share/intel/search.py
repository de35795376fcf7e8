"""Searching the store for one viewer: pages, counts, one object's versions, scores.

Everything is read through one :class:`~shieldwall.share.intel.read.IntelReader` built for
the request, so the gate, the derived-object rule and reference stripping apply exactly
as on TAXII. On top of the reader:

* indicators carry ``x_shieldwall_score``, ``x_shieldwall_valid_until`` and the anonymised
  ``x_shieldwall_sightings`` aggregate, computed over the sightings the viewer may count
  (:mod:`.sightings`), at the instant of the request;
* ``min_score`` keeps indicators whose current score reaches it (other types have no
  score and are left out when it is set); it is applied before the page is cut, so
  ``more`` and the page boundaries reveal nothing about what it removed;
* counts run the same reader to the end: they never include an object the viewer may not
  receive;
* one audit entry per request names every restricted version served.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from shieldwall.model.identity import Principal
from shieldwall.model.intel import IntelQuery, VersionSelector
from shieldwall.share.intel.read import IntelReader, Served, audit_restricted
from shieldwall.share.intel.sightings import annotate, countable_sightings_of
from shieldwall.share.intel.validate import parse_timestamp
from shieldwall.store.protocols import UnitOfWork

MAX_LIMIT = 1000
COUNT_CAP = 100_000
"""A count stops here (``total_capped`` says so): a count is never an unbounded scan."""


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A query, the page wanted and what to add."""

    query: IntelQuery
    limit: int = 100
    after_seq: int = 0
    min_score: float | None = None
    count: bool = False


@dataclass(frozen=True, slots=True)
class Found:
    """One served version, as a JSON object (indicators annotated)."""

    seq: int
    stix_id: str
    version: str
    date_added: str
    obj: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SearchPage:
    """Visible results in sequence order; ``more`` when another visible one exists."""

    items: list[Found]
    more: bool
    last_seq: int
    total: int | None = None
    total_capped: bool = False


class Searcher:
    """Searches for one viewer in one request (build it once per request)."""

    def __init__(
        self,
        tx: UnitOfWork,
        reader: IntelReader,
        principal: Principal,
        now: datetime,
        *,
        anonymised_counts: bool = True,
    ) -> None:
        """``reader`` must be built with ``audit_pages=False``: this class audits once."""
        self._tx = tx
        self._reader = reader
        self._principal = principal
        self._now = now
        self._anonymised = anonymised_counts

    def search(self, request: SearchRequest) -> SearchPage:
        """One page of results, with a count of every visible match when asked."""
        keep = _score_filter(request.min_score)
        items, more = self._collect(request.query, request.after_seq, request.limit, keep)
        audit_restricted(self._reader.audit, self._principal, [served for served, _ in items])
        found = [self._found(served, obj) for served, obj in items]
        last = found[-1].seq if found else request.after_seq
        if not request.count:
            return SearchPage(found, more, last)
        total, capped = self._count(request.query, keep)
        return SearchPage(found, more, last, total, capped)

    def versions(self, stix_id: str, selector: VersionSelector) -> list[Found]:
        """Every version of one object the viewer may receive (oldest added first)."""
        query = IntelQuery(ids=(stix_id,), versions=frozenset({selector}))
        items: list[tuple[Served, dict[str, Any]]] = []
        after = 0
        while True:
            page = self._reader.page(query, after_seq=after, limit=MAX_LIMIT)
            items.extend(zip(page.items, self._annotated(page.items), strict=True))
            if not page.more:
                break
            after = page.last_seq
        audit_restricted(self._reader.audit, self._principal, [served for served, _ in items])
        return [self._found(served, obj) for served, obj in items]

    def _collect(
        self, query: IntelQuery, after: int, limit: int, keep: Callable[[dict[str, Any]], bool]
    ) -> tuple[list[tuple[Served, dict[str, Any]]], bool]:
        kept: list[tuple[Served, dict[str, Any]]] = []
        cursor = after
        while True:
            page = self._reader.page(query, after_seq=cursor, limit=limit + 1)
            for served, obj in zip(page.items, self._annotated(page.items), strict=True):
                if keep(obj):
                    kept.append((served, obj))
            if len(kept) > limit or not page.more:
                return kept[:limit], len(kept) > limit
            cursor = page.last_seq

    def _count(self, query: IntelQuery, keep: Callable[[dict[str, Any]], bool]) -> tuple[int, bool]:
        total, cursor = 0, 0
        while True:
            page = self._reader.page(query, after_seq=cursor, limit=MAX_LIMIT)
            total += sum(1 for obj in self._annotated(page.items) if keep(obj))
            if not page.more:
                return total, False
            if total >= COUNT_CAP:
                return total, True
            cursor = page.last_seq

    def _annotated(self, page: Sequence[Served]) -> list[dict[str, Any]]:
        """The page's objects, indicators annotated; their sightings are fetched in one call
        for the whole page, never one query per indicator."""
        indicators = {served.stix_id for served in page if served.stix_type == "indicator"}
        sightings = countable_sightings_of(
            self._tx, self._reader.viewer, indicators, anonymised_counts=self._anonymised
        )
        found: list[dict[str, Any]] = []
        for served in page:
            obj: dict[str, Any] = orjson.loads(served.body)
            if served.stix_type == "indicator":
                seen = sightings.get(served.stix_id, [])
                obj = annotate(obj, parse_timestamp(served.version), seen, self._now)
            found.append(obj)
        return found

    @staticmethod
    def _found(served: Served, obj: dict[str, Any]) -> Found:
        return Found(served.seq, served.stix_id, served.version, served.date_added, obj)


def _score_filter(min_score: float | None) -> Callable[[dict[str, Any]], bool]:
    if min_score is None:
        return lambda _obj: True

    def keep(obj: dict[str, Any]) -> bool:
        score = obj.get("x_shieldwall_score")
        return isinstance(score, int | float) and score >= min_score

    return keep
