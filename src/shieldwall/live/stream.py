"""The live stream of new alerts and incidents for one viewer, each through the gate.

The feed is the store itself, read by position: alerts by their sequence, incidents by
their id, both numbered by the database, so every process (``serve`` replicas, a fuse or
detect worker elsewhere) sees the same positions and a stream resumes exactly where it
left off. An event's id is the cursor after it (``<alert seq>-<incident id>``), what a
client sends back as ``Last-Event-ID``. A page is read with the viewer's scope and every
item is asked of the gate again before it is sent: a member never receives another
member's alert or incident. Only new incidents are streamed; their later changes are
read through ``/incidents``.

Numbers are handed out when a transaction inserts, not when it commits, so on PostgreSQL
a later number may become visible before an earlier one. A stream therefore stops at a
hole in the numbering while the row after it is younger than ``settle`` (5 s): a
transaction still running fills it meanwhile; a hole older than that is one for good (a
rolled-back insert, an upsert that counted a duplicate) and is stepped over. The stages'
transactions are a batch long, far below ``settle``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import orjson

from shieldwall.live.alerts import alert_json
from shieldwall.live.incidents import incident_json
from shieldwall.model.errors import InputError, PermissionDeniedError
from shieldwall.model.identity import Principal
from shieldwall.model.incident import IncidentQuery
from shieldwall.policy.alerts import alert_scope, may_see_alert
from shieldwall.policy.incidents import incident_scope, may_see_incident
from shieldwall.policy.roles import Action, may
from shieldwall.store.protocols import Store

_CURSOR = re.compile(r"^(\d{1,19})-(\d{1,19})$")
MAX_BATCH = 500
T = TypeVar("T")


@dataclass(frozen=True, slots=True, order=True)
class Cursor:
    """Where a stream stands: the last alert sequence and incident id it went past."""

    alert: int = 0
    incident: int = 0

    @property
    def token(self) -> str:
        """The cursor as an event id (``Last-Event-ID``)."""
        return f"{self.alert}-{self.incident}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        """A cursor from an event id; InputError when it is not one."""
        found = _CURSOR.match(text.strip())
        if found is None:
            raise InputError("Last-Event-ID must be <alert>-<incident>", place="Last-Event-ID")
        return cls(int(found.group(1)), int(found.group(2)))


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One event of the stream: its kind, its body, and the cursor after it."""

    kind: str
    data: dict[str, Any]
    cursor: Cursor

    def encode(self) -> bytes:
        """The event in the text/event-stream format."""
        body = orjson.dumps(self.data).decode()
        return f"id: {self.cursor.token}\nevent: {self.kind}\ndata: {body}\n\n".encode()


def require_stream(who: Principal) -> None:
    """PermissionDeniedError unless the principal may hold a stream (not sensors)."""
    if not may(who.role, Action.STREAM_READ):
        raise PermissionDeniedError(f"role {who.role} may not read the live stream")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def settled(
    rows: Sequence[T], after: int, number: Callable[[T], int], fresh: Callable[[T], bool]
) -> list[T]:
    """The rows up to the first hole in the numbering that a fresh row follows."""
    kept: list[T] = []
    expected = after + 1
    for row in rows:
        if number(row) != expected and fresh(row):
            break
        kept.append(row)
        expected = number(row) + 1
    return kept


@dataclass(frozen=True, slots=True)
class StreamDesk:
    """Pages of the stream, each read in one read-only transaction, each item through the
    gate for the viewer."""

    store: Store
    settle: timedelta = timedelta(seconds=5)
    clock: Callable[[], datetime] = _utc_now

    def head(self, who: Principal) -> Cursor:
        """The stream's current end: a stream without ``Last-Event-ID`` starts there."""
        require_stream(who)
        with self.store.reading() as tx:
            alert, incident = tx.stream.heads()
        return Cursor(alert, incident)

    def next(
        self, who: Principal, cursor: Cursor, limit: int = MAX_BATCH
    ) -> tuple[Sequence[StreamEvent], Cursor]:
        """The events after ``cursor`` the viewer may see, and the cursor after them."""
        require_stream(who)
        alert_scope(who)  # a role that reads no alert or incident is refused here
        incident_scope(who)
        size = max(1, min(limit, MAX_BATCH))
        with self.store.reading() as tx:  # every member's: holes are seen, the gate filters
            alerts = tx.alerts.page(None, after=cursor.alert, limit=size)
            query = IncidentQuery(org_ids=None, after=cursor.incident, limit=size)
            incidents = tx.incidents.page(query)
        horizon = self.clock() - self.settle
        alerts = settled(alerts, cursor.alert, lambda a: a.seq, lambda a: a.created_at > horizon)
        incidents = settled(
            incidents, cursor.incident, lambda i: i.id, lambda i: i.created_at > horizon
        )
        events: list[StreamEvent] = []
        at = cursor
        for alert in alerts:
            at = Cursor(alert.seq, at.incident)
            if may_see_alert(who, alert.org_id):
                events.append(StreamEvent("alert", alert_json(alert), at))
        for incident in incidents:
            at = Cursor(at.alert, incident.id)
            if may_see_incident(who, incident.org_id):
                events.append(StreamEvent("incident", incident_json(incident), at))
        return events, at
