"""Pulling one remote TAXII 2.1 collection into an :class:`~.sink.ObjectSink`.

One run: ask for objects ``added_after`` the saved resume point, page through ``next``
tokens, hand every page to the sink, and after each page save the page's
``X-TAXII-Date-Added-Last`` as the new resume point. A run that stops half-way (crash,
timeout, cap) therefore resumes after the last page that was stored; the page in flight
is fetched again and the sink, idempotent on (id, version), stores nothing twice.

Limits per run: ``max_objects_per_run`` objects (a page that would pass it is cut and the
resume point is not advanced past it), ``max_bytes`` per response, the pacing limiter.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import httpx

from shieldwall.config.taxii import TaxiiFeed
from shieldwall.model.errors import InputError
from shieldwall.share.taxii_client.envelope import Envelope, Rejected, parse_envelope
from shieldwall.share.taxii_client.errors import RefusedTargetError, RemoteError
from shieldwall.share.taxii_client.guard import check_same_origin
from shieldwall.share.taxii_client.sink import ObjectSink
from shieldwall.share.taxii_client.state import FeedStates
from shieldwall.share.taxii_client.transport import Reply, TaxiiHttp, resource_path
from shieldwall.store.protocols import FeedState

log = logging.getLogger(__name__)

DATE_ADDED_HEADER = "X-TAXII-Date-Added-Last"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
MAX_TOKEN_LENGTH = 2048


@dataclass
class PullReport:
    """What one run of one feed did."""

    feed: str
    resumed_from: str | None
    resume_point: str | None = None
    pages: int = 0
    received: int = 0
    stored: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    stopped: str = ""
    error: str = ""
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        """True when the run ended without an error."""
        return not self.error


@dataclass
class _Cursor:
    """Where the next request goes: the query's added_after and the page token or link."""

    query_after: str | None
    token: str | None = None
    link: httpx.URL | None = None


class FeedPuller:
    """Runs pulls of one configured feed."""

    def __init__(
        self,
        feed: TaxiiFeed,
        http: TaxiiHttp,
        sink: ObjectSink,
        states: FeedStates,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.feed = feed
        self._http = http
        self._sink = sink
        self._states = states
        self._clock = clock
        self._path = resource_path("collections", feed.collection_id, "objects", remote=feed.name)

    def run(self) -> PullReport:
        """One run; errors are recorded in the report and the feed state, not raised."""
        state = self._states.load(self.feed.name)
        started = self._clock()
        report = PullReport(self.feed.name, resumed_from=state.added_after)
        report.resume_point = state.added_after
        try:
            state = self._pages(state, report)
        except (RemoteError, InputError) as exc:
            report.error = str(exc)
            report.retry_after = getattr(exc, "retry_after", None)
            log.warning("feed %s: run failed: %s", self.feed.name, exc)
        final = replace(
            state,
            last_run_at=started,
            last_success_at=started if report.ok else state.last_success_at,
            last_error=report.error,
            runs=state.runs + 1,
        )
        self._states.save(final, detail=_summary(report), ok=report.ok)
        return report

    def _pages(self, state: FeedState, report: PullReport) -> FeedState:
        cursor = _Cursor(query_after=state.added_after)
        budget = self.feed.max_objects_per_run
        while True:
            reply = self._fetch(cursor, budget)
            envelope = parse_envelope(reply.body, source=self.feed.name, place=reply.place)
            listed = len(envelope.objects) + len(envelope.rejected)
            taken, cut = min(listed, budget), listed > budget
            self._store(envelope, budget, report)
            budget -= taken
            last = None if cut else self._date_added_last(reply)
            if last is not None:
                state = replace(state, added_after=last)
                report.resume_point = last
            state = replace(state, objects_total=state.objects_total + taken)
            self._states.save(state, detail=f"page {report.pages}", ok=True)
            if cut or budget <= 0:
                report.stopped = "max_objects_per_run reached"
                return state
            if not envelope.more:
                report.stopped = "complete"
                return state
            cursor = self._advance(cursor, envelope, last, reply)

    def _fetch(self, cursor: _Cursor, budget: int) -> Reply:
        if cursor.link is not None:
            return self._http.send("GET", cursor.link)
        params = {"limit": str(min(self.feed.page_size, budget))}
        if cursor.query_after:
            params["added_after"] = cursor.query_after
        if cursor.token:
            params["next"] = cursor.token
        return self._http.get(self._path, params)

    def _store(self, envelope: Envelope, budget: int, report: PullReport) -> None:
        objects = envelope.objects[:budget]
        result = self._sink.accept(self.feed.name, objects)
        report.pages += 1
        report.received += len(objects)
        report.stored += result.stored
        report.unchanged += result.unchanged
        report.rejected.extend(envelope.rejected)
        report.rejected.extend(result.rejected)
        for rejected in (*envelope.rejected, *result.rejected):
            log.info("feed %s: rejected %s: %s", self.feed.name, rejected.place, rejected.reason)

    def _date_added_last(self, reply: Reply) -> str | None:
        value: str | None = reply.headers.get(DATE_ADDED_HEADER)
        if value is None:
            return None
        if len(value) > 40 or not TIMESTAMP.match(value):
            raise InputError(
                "not a TAXII timestamp",
                source=self.feed.name,
                place=f"{reply.place} {DATE_ADDED_HEADER}",
            )
        return value

    def _advance(
        self, cursor: _Cursor, envelope: Envelope, last: str | None, reply: Reply
    ) -> _Cursor:
        """The next page: the server's ``next``, else added_after the page's last date."""
        if envelope.next is not None:
            return self._follow_next(cursor, envelope.next, reply)
        if last is not None and last != cursor.query_after:
            return _Cursor(query_after=last)
        raise InputError(
            "more is true but there is neither a next token nor an advancing "
            f"{DATE_ADDED_HEADER}; stopping instead of looping",
            source=self.feed.name,
            place=reply.place,
        )

    def _follow_next(self, cursor: _Cursor, token: str, reply: Reply) -> _Cursor:
        """A token stays a token; a ``next`` that is a link must stay on this collection."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise InputError("next token too long", source=self.feed.name, place=reply.place)
        if "://" not in token and not token.startswith("/"):
            return _Cursor(query_after=cursor.query_after, token=token)
        link = self._http.url(self._path).join(token)
        check_same_origin(link, self._http.base, remote=self.feed.name, place=reply.place)
        if link.path != self._http.url(self._path).path:
            raise RefusedTargetError(
                f"refused next link to {link.path}: not this collection's objects",
                remote=self.feed.name,
                place=reply.place,
            )
        return _Cursor(query_after=cursor.query_after, link=link)


def _summary(report: PullReport) -> str:
    outcome = report.error or report.stopped
    return (
        f"pages={report.pages} received={report.received} stored={report.stored} "
        f"unchanged={report.unchanged} rejected={len(report.rejected)} "
        f"resume={report.resume_point or '-'} {outcome}"
    )[:1000]
