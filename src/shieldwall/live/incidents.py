"""Incidents as people see and handle them: through the gate, hidden exactly like absent.

Every read and every change runs in one transaction with the caller's scope. A change
(assignment, status, comment) is checked against the status flow of the fuse stage,
recorded in the incident's history with who and when, and in the audit log, in the same
transaction as the change itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shieldwall.fuse import check_comment, check_status_change
from shieldwall.model.alert import Alert
from shieldwall.model.audit import AuditRecord
from shieldwall.model.errors import InputError, NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.model.incident import (
    SEVERITIES,
    Incident,
    IncidentChange,
    IncidentQuery,
    IncidentStatus,
)
from shieldwall.policy.incidents import (
    incident_scope,
    may_be_assigned,
    may_see_incident,
    require_manage,
)
from shieldwall.store.protocols import Store, UnitOfWork

MAX_PAGE = 1000
MAX_ALERTS_SHOWN = 1000


@dataclass(frozen=True, slots=True)
class IncidentView:
    """One incident with its alerts and its history."""

    incident: Incident
    alerts: Sequence[Alert]
    history: Sequence[IncidentChange]


@dataclass(frozen=True, slots=True)
class IncidentDesk:
    """Reads and changes of incidents, each in one transaction with the caller's scope."""

    store: Store

    def page(
        self,
        who: Principal,
        *,
        status: IncidentStatus | None = None,
        severity: str | None = None,
        member: str | None = None,
        after: int = 0,
        limit: int = 100,
    ) -> Sequence[Incident]:
        """Incidents after id ``after`` that the caller may see and the filters keep."""
        query = _query(who, status, severity, member, limit, after=after)
        with self.store.reading() as tx:
            return tx.incidents.page(query)

    def latest(
        self,
        who: Principal,
        *,
        status: IncidentStatus | None = None,
        severity: str | None = None,
        member: str | None = None,
        before: int = 0,
        limit: int = 100,
    ) -> Sequence[Incident]:
        """Newest first: incidents below id ``before`` (0: the newest) the caller may see."""
        query = _query(who, status, severity, member, limit)
        with self.store.reading() as tx:
            return tx.incidents.latest(query, before)

    def get(self, who: Principal, incident_id: int) -> IncidentView:
        """One incident with its alerts and history; NotFoundError when hidden or absent."""
        incident_scope(who)  # a role that reads no incident is refused before any read
        with self.store.reading() as tx:
            incident = _visible(tx, who, incident_id)
            seqs = tx.incidents.alert_seqs(incident_id)[:MAX_ALERTS_SHOWN]
            return IncidentView(incident, tx.alerts.many(seqs), tx.incidents.history(incident_id))

    def assign(self, who: Principal, incident_id: int, assignee: str | None) -> IncidentView:
        """Give the incident to a person of its member or of the centre (None: nobody)."""
        with self.store.transaction() as tx:
            incident = self._changing(tx, who, incident_id)
            if assignee is not None:
                _check_assignee(tx, assignee, incident.org_id)
            tx.incidents.set_assignee(incident_id, assignee)
            detail = {"from": incident.assignee, "to": assignee}
            self._record(tx, who, incident, "assign", detail)
        return self.get(who, incident_id)

    def set_status(
        self, who: Principal, incident_id: int, status: IncidentStatus, reason: str = ""
    ) -> IncidentView:
        """Move the incident along its status flow; closing needs a reason."""
        with self.store.transaction() as tx:
            incident = self._changing(tx, who, incident_id)
            kept = check_status_change(incident, status, reason)
            tx.incidents.set_status(incident_id, status, kept)
            detail: dict[str, Any] = {"from": incident.status.value, "to": status.value}
            if kept:
                detail["reason"] = kept
            self._record(tx, who, incident, "status", detail)
        return self.get(who, incident_id)

    def comment(self, who: Principal, incident_id: int, text: str) -> IncidentView:
        """Add a comment to the incident's history."""
        body = check_comment(text)
        with self.store.transaction() as tx:
            incident = self._changing(tx, who, incident_id)
            self._record(tx, who, incident, "comment", {"text": body})
        return self.get(who, incident_id)

    @staticmethod
    def _changing(tx: UnitOfWork, who: Principal, incident_id: int) -> Incident:
        incident_scope(who)
        incident = _visible(tx, who, incident_id)
        require_manage(who)
        return incident

    @staticmethod
    def _record(
        tx: UnitOfWork, who: Principal, incident: Incident, action: str, detail: dict[str, Any]
    ) -> None:
        tx.incidents.record(incident.id, who.person_id, action, detail)
        tx.audit.append(
            AuditRecord(
                who.person_id, who.org_id, f"incident.{action}", "incident", str(incident.id)
            )
        )


def _visible(tx: UnitOfWork, who: Principal, incident_id: int) -> Incident:
    incident = tx.incidents.get(incident_id)
    if incident is None or not may_see_incident(who, incident.org_id):
        raise NotFoundError(f"incident {incident_id} not found")
    return incident


def _check_assignee(tx: UnitOfWork, assignee: str, incident_org: str) -> None:
    """The same answer for a person absent and one who may not take it (no oracle)."""
    person = tx.people.get(assignee)
    org = tx.organisations.get(person.org_id) if person else None
    if person is None or org is None or not may_be_assigned(person, incident_org, org.kind):
        raise InputError(
            "not a person of the incident's member or of the centre who can take it",
            place="assignee",
        )


def incident_json(incident: Incident) -> dict[str, Any]:
    """An incident as the API shows it in a list."""
    return {
        "id": incident.id,
        "org_id": incident.org_id,
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status.value,
        "assignee": incident.assignee,
        "close_reason": incident.close_reason,
        "merged_into": incident.merged_into,
        "alert_count": incident.alert_count,
        "first_seen": incident.first_seen.isoformat() if incident.first_seen else None,
        "last_seen": incident.last_seen.isoformat() if incident.last_seen else None,
        "created_at": incident.created_at.isoformat(),
        "updated_at": incident.updated_at.isoformat(),
    }


def change_json(change: IncidentChange) -> dict[str, Any]:
    """One history entry as the API shows it."""
    return {
        "id": change.id,
        "at": change.at.isoformat(),
        "actor": change.actor,
        "action": change.action,
        "detail": change.detail,
    }


def _query(
    who: Principal,
    status: IncidentStatus | None,
    severity: str | None,
    member: str | None,
    limit: int,
    *,
    after: int = 0,
) -> IncidentQuery:
    """The caller's scope and the filters, checked once for every read of a page."""
    if severity is not None and severity not in SEVERITIES:
        raise InputError(f"severity must be one of {', '.join(SEVERITIES)}", place="severity")
    return IncidentQuery(
        org_ids=incident_scope(who),
        status=status,
        severity=severity,
        member=member,
        after=after,
        limit=max(1, min(limit, MAX_PAGE)),
    )
