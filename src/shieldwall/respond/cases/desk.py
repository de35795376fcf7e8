"""Cases as people open, read and steer them: each call one transaction, through the gate.

Opening needs the incident to be visible to the caller (``policy.incidents``) and is
idempotent: an incident has at most one case (a unique index), and opening it again
answers with the case it already has. Status, assignment and sharing belong to the
case's managers (its member, its opener, the centre); every change is recorded in the
timeline and the audit log in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from shieldwall.model.case import Case, CaseShare, CaseStatus
from shieldwall.model.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from shieldwall.model.identity import Principal
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.cases import case_party, may_be_assigned, owners, require
from shieldwall.policy.incidents import may_see_incident
from shieldwall.policy.roles import Action
from shieldwall.respond.cases.flow import check_status_change
from shieldwall.respond.cases.record import record
from shieldwall.respond.cases.sight import CaseSight, CaseView
from shieldwall.respond.cases.sla import SlaPolicy
from shieldwall.respond.cases.values import shift as check_shift
from shieldwall.respond.cases.values import tlp_label
from shieldwall.store.protocols import Store, UnitOfWork

MAX_PAGE = 1000


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CaseDesk:
    """Opening, reading and steering cases."""

    store: Store
    sla: SlaPolicy = field(default_factory=SlaPolicy)
    clock: Callable[[], datetime] = utc_now

    def open(self, who: Principal, incident_id: int) -> CaseView:
        """Open the incident as a case, or answer with the case it already has."""
        require(who, Action.CASE_WORK)
        try:
            with self.store.transaction() as tx:
                case_id = self._open(tx, who, incident_id)
        except ConflictError:  # opened by someone else meanwhile: the unique index held
            with self.store.reading() as tx:
                existing = tx.cases.of_incident(incident_id)
            if existing is None:
                raise
            case_id = existing.id
        return self.get(who, case_id)

    def _open(self, tx: UnitOfWork, who: Principal, incident_id: int) -> int:
        incident = tx.incidents.get(incident_id)
        if incident is None or not may_see_incident(who, incident.org_id):
            raise NotFoundError(f"incident {incident_id} not found")
        existing = tx.cases.of_incident(incident_id)
        if existing is not None:
            return existing.id
        now = self.clock()
        case_id = tx.cases.open(
            incident_id=incident_id,
            org_id=incident.org_id,
            opened_org=who.org_id,
            opened_by=who.person_id,
            title=incident.title,
            severity=incident.severity,
            due_at=self.sla.due_at(incident.severity, now),
        )
        record(tx, who, case_id, "opened", {"incident": incident_id})
        return case_id

    def page(
        self,
        who: Principal,
        *,
        status: CaseStatus | None = None,
        after: int = 0,
        limit: int = 100,
    ) -> Sequence[Case]:
        """Cases the caller is a party to (every one for the centre), after id ``after``."""
        party = case_party(who)
        with self.store.reading() as tx:
            return tx.cases.page(
                party, status=status, after=after, limit=max(1, min(limit, MAX_PAGE))
            )

    def get(self, who: Principal, case_id: int) -> CaseView:
        """The case as the caller may see it; NotFoundError when absent or hidden."""
        with self.store.reading() as tx:
            return CaseSight.of(tx, who, case_id).view(self.clock())

    def set_status(
        self, who: Principal, case_id: int, status: CaseStatus, reason: str = ""
    ) -> CaseView:
        """Move the case along its status flow; closing needs a reason."""
        with self.store.transaction() as tx:
            case = _managed(tx, who, case_id)
            kept = check_status_change(case.status, status, reason)
            tx.cases.set_status(case_id, status, kept)
            detail = {"from": case.status.value, "to": status.value}
            record(tx, who, case_id, "status", {**detail, "reason": kept} if kept else detail)
        return self.get(who, case_id)

    def assign(
        self, who: Principal, case_id: int, person: str | None, shift: str | None = None
    ) -> CaseView:
        """Give the case to a person of a party or the centre, and/or to a shift."""
        with self.store.transaction() as tx:
            case = _managed(tx, who, case_id)
            if person is not None:
                _check_assignee(tx, case, person)
            kept_shift = check_shift(shift) if shift is not None else None
            tx.cases.assign(case_id, person, kept_shift)
            detail = {"person": person, "shift": kept_shift}
            record(tx, who, case_id, "assign", detail)
        return self.get(who, case_id)

    def share(self, who: Principal, case_id: int, org_id: str, max_tlp: TlpLevel) -> CaseView:
        """Share the case with a member, its items up to ``max_tlp`` (again: change it)."""
        if max_tlp is TlpLevel.RED:
            raise InputError(
                "TLP:RED items stay with their author; share up to amber+strict", place="max_tlp"
            )
        with self.store.transaction() as tx:
            case = _managed(tx, who, case_id, Action.CASE_SHARE)
            target = tx.organisations.get(org_id)
            if target is None or not target.active or org_id in owners(case):
                raise InputError(
                    "not an active member the case could be shared with", place="org_id"
                )
            at = self.clock()
            tx.cases.share(
                CaseShare(
                    case_id=case_id, org_id=org_id, max_tlp=max_tlp, shared_by=who.person_id, at=at
                )
            )
            detail = {"org": org_id, "max_tlp": tlp_label(max_tlp)}
            record(tx, who, case_id, "share", detail, owners_only=True)
        return self.get(who, case_id)

    def unshare(self, who: Principal, case_id: int, org_id: str) -> CaseView:
        """Stop sharing the case with a member: on its next request it is gone for it."""
        with self.store.transaction() as tx:
            _managed(tx, who, case_id, Action.CASE_SHARE)
            if not tx.cases.unshare(case_id, org_id):
                raise InputError("the case is not shared with that member", place="org_id")
            record(tx, who, case_id, "unshare", {"org": org_id}, owners_only=True)
        return self.get(who, case_id)


def _managed(
    tx: UnitOfWork, who: Principal, case_id: int, action: Action = Action.CASE_WORK
) -> Case:
    """The case, when the caller sees it, may take ``action`` and is one of its managers."""
    sight = CaseSight.of(tx, who, case_id)
    require(who, action)
    if not sight.manager:
        raise PermissionDeniedError("only the case's member, its opener or the centre may")
    return sight.case


def _check_assignee(tx: UnitOfWork, case: Case, person_id: str) -> None:
    """The same answer for a person absent and one who may not take it (no oracle)."""
    person = tx.people.get(person_id)
    org = tx.organisations.get(person.org_id) if person else None
    shares = tx.cases.shares(case.id)
    if person is None or org is None or not may_be_assigned(person, case, shares, org.kind):
        raise InputError(
            "not a person of a party to the case or of the centre who can take it",
            place="person",
        )
