"""Shift handover: what changed since the organisation's last handover.

A handover report lists, for the caller's organisation (every member's for the centre),
the incidents opened since the last handover, the incidents whose severity rose since
then, the overdue tasks and cases the caller may see, and what the other parts of
``respond`` report as waiting: pending approvals and open requests for assistance, each
through a :class:`HandoverSource` wired by the runtime (None: not wired in this process,
shown as unavailable rather than as "nothing"). Taking the handover records it: when,
who, the newest incident then and the severity of each open incident, so the next report
starts there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from shieldwall.model.audit import AuditRecord
from shieldwall.model.case import Case, CaseItem, HandoverMark
from shieldwall.model.errors import NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.model.incident import SEVERITIES, Incident, IncidentQuery, IncidentStatus
from shieldwall.policy.cases import case_party, may_see_case, require
from shieldwall.policy.incidents import incident_scope
from shieldwall.policy.roles import Action
from shieldwall.respond.cases.desk import utc_now
from shieldwall.respond.cases.sight import CaseSight
from shieldwall.store.protocols import Store, UnitOfWork

MAX_SCAN = 20_000
"""Incidents, tasks and cases one report looks at, at most (each list says if cut)."""
_PAGE = 1000
_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
_OPEN = tuple(s for s in IncidentStatus if s is not IncidentStatus.CLOSED)


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoverItem:
    """Something another part of ``respond`` has waiting (an approval, a request for help)."""

    kind: str
    ref: str
    title: str
    at: datetime | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


class HandoverSource(Protocol):
    """What is waiting for the caller's organisation, through the gate (approvals, requests).

    The playbooks' approvals and the requests for assistance implement it; the runtime
    wires them into :class:`HandoverDesk`."""

    def handover_items(self, who: Principal, since: datetime | None) -> Sequence[HandoverItem]:
        """Items still waiting now (``since`` is the last handover, None for the first)."""
        ...


@dataclass(frozen=True, slots=True)
class Escalation:
    """An incident whose severity rose since the last handover."""

    incident: Incident
    was: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoverReport:
    """What changed since the last handover, for one organisation."""

    org_id: str
    since: datetime | None
    until: datetime
    taken: bool
    new_incidents: Sequence[Incident]
    escalated: Sequence[Escalation]
    overdue_tasks: Sequence[CaseItem]
    overdue_cases: Sequence[Case]
    pending_approvals: Sequence[HandoverItem] | None
    open_requests: Sequence[HandoverItem] | None


@dataclass(frozen=True, slots=True)
class HandoverDesk:
    """Handover reports, read or taken."""

    store: Store
    approvals: HandoverSource | None = None
    requests: HandoverSource | None = None
    clock: Callable[[], datetime] = utc_now

    def report(self, who: Principal, *, take: bool = False) -> HandoverReport:
        """What changed since the last handover; ``take`` also records this one."""
        case_party(who)
        scope = incident_scope(who)
        if take:
            require(who, Action.HANDOVER_TAKE)
        now = self.clock()
        opener = self.store.transaction if take else self.store.reading
        with opener() as tx:
            mark = tx.handovers.last(who.org_id)
            incidents = _Incidents(tx, scope, mark)
            tasks, cases = _overdue(tx, who, now)
            if take:
                tx.handovers.take(who.org_id, who.person_id, incidents.newest, incidents.now)
                tx.audit.append(
                    AuditRecord(who.person_id, who.org_id, "handover.take", "handover", who.org_id)
                )
        since = mark.at if mark else None
        return HandoverReport(
            org_id=who.org_id,
            since=since,
            until=now,
            taken=take,
            new_incidents=incidents.new,
            escalated=incidents.escalated,
            overdue_tasks=tasks,
            overdue_cases=cases,
            pending_approvals=_ask(self.approvals, who, since),
            open_requests=_ask(self.requests, who, since),
        )


class _Incidents:
    """The incidents in scope, compared with the last handover's mark."""

    def __init__(self, tx: UnitOfWork, scope: frozenset[str] | None, mark: HandoverMark | None):
        last = mark.last_incident_id if mark else 0
        was = mark.severities if mark else {}
        self.new = list(_pages(tx, scope, None, last))
        self.newest = max((i.id for i in self.new), default=last)
        self.now: dict[str, str] = {}
        self.escalated: list[Escalation] = []
        for status in _OPEN:
            for incident in _pages(tx, scope, status, 0):
                self.now[str(incident.id)] = incident.severity
                before = was.get(str(incident.id))
                if before is not None and _RANK.get(incident.severity, 0) > _RANK.get(before, 0):
                    self.escalated.append(Escalation(incident, before))
        self.escalated.sort(key=lambda e: e.incident.id)


def _pages(
    tx: UnitOfWork, scope: frozenset[str] | None, status: IncidentStatus | None, after: int
) -> Iterator[Incident]:
    seen = 0
    while seen < MAX_SCAN:
        page = tx.incidents.page(
            IncidentQuery(org_ids=scope, status=status, after=after, limit=_PAGE)
        )
        yield from page
        seen += len(page)
        if len(page) < _PAGE:
            return
        after = page[-1].id


def _overdue(tx: UnitOfWork, who: Principal, now: datetime) -> tuple[list[CaseItem], list[Case]]:
    """Overdue tasks and cases the caller may see (hidden ones are simply not there)."""
    sights: dict[int, CaseSight | None] = {}
    tasks = []
    for item in tx.cases.overdue_tasks(now, MAX_SCAN):
        if item.case_id not in sights:
            sights[item.case_id] = _sight(tx, who, item.case_id)
        sight = sights[item.case_id]
        if sight is not None and sight.sees(item):
            tasks.append(item)
    cases = [
        case
        for case in tx.cases.overdue_cases(now, MAX_SCAN)
        if may_see_case(who, case, tx.cases.shares(case.id))
    ]
    return tasks, cases


def _sight(tx: UnitOfWork, who: Principal, case_id: int) -> CaseSight | None:
    try:
        return CaseSight.of(tx, who, case_id)
    except NotFoundError:
        return None


def _ask(
    source: HandoverSource | None, who: Principal, since: datetime | None
) -> Sequence[HandoverItem] | None:
    return None if source is None else list(source.handover_items(who, since))
