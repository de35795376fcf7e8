"""Issuing and withdrawing measures: checked, idempotent by key, audited in one transaction.

A playbook action, the API and the CLI all come here. The key is scoped to the issuing
organisation and unique in the store: issuing again under the same key returns the
measure issued the first time (``replayed``), while the same key with another content is
a conflict, so a retried action can never issue twice nor silently issue something else.
The coalition's allow-list is asked before anything is stored: a value it protects is
not stored, and the refusal is audited and reported (members' own allow-lists apply when
their lists are built).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from shieldwall.model.audit import AuditRecord, Outcome
from shieldwall.model.errors import ConflictError, InputError, NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.model.measures import AllowEntry, Measure, MeasureKind
from shieldwall.policy.roles import Action, authorise
from shieldwall.respond.measures.allow import AllowSet
from shieldwall.respond.measures.audience import check_level
from shieldwall.respond.measures.items import Item
from shieldwall.respond.measures.values import normalise
from shieldwall.store.protocols import UnitOfWork

MAX_VALIDITY = timedelta(days=366)
MAX_KEY = 150


@dataclass(frozen=True, slots=True)
class IssueRequest:
    """What to block, why, until when, and for whom (TLP, communities, members)."""

    kind: str
    value: str
    reason: str
    valid_until: datetime
    confidence: int = 100
    tlp: str = "green"
    communities: frozenset[str] = frozenset()
    members: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class IssueOutcome:
    """The measure, whether it had already been issued under that key, and the coalition
    allow-list entry that stopped it (then nothing was stored)."""

    measure: Measure
    replayed: bool
    stopped_by: AllowEntry | None = None


def prepare(who: Principal, request: IssueRequest, key: str, now: datetime) -> Measure:
    """The measure the request describes; InputError naming the first bad field."""
    try:
        kind = MeasureKind(request.kind)
    except ValueError:
        raise InputError(f"kind must be one of {', '.join(MeasureKind)}", place="kind") from None
    reason = request.reason.strip()
    if not 0 < len(reason) <= 1000 or not reason.isprintable():
        raise InputError("a reason of 1 to 1000 printable characters is needed", place="reason")
    if not 0 < len(key) <= MAX_KEY or not key.isprintable():
        raise InputError(f"an idempotency key of 1 to {MAX_KEY} characters", place="key")
    until = request.valid_until
    if until.tzinfo is None or not now < until <= now + MAX_VALIDITY:
        raise InputError("valid_until must be ahead, within 366 days, with a timezone")
    if not 0 <= request.confidence <= 100:
        raise InputError("confidence is 0 to 100", place="confidence")
    return Measure(
        id=str(uuid.uuid4()),
        key=f"{who.org_id}:{key}",
        org_id=who.org_id,
        issued_by=who.person_id,
        kind=kind,
        value=normalise(kind, request.value),
        reason=reason,
        valid_until=until,
        created_at=now,
        confidence=request.confidence,
        tlp=check_level(request.tlp),
        community_ids=request.communities,
        recipient_org_ids=request.members,
    )


def issue(tx: UnitOfWork, who: Principal, measure: Measure) -> IssueOutcome:
    """Store the measure unless its key was used; audit either way."""
    authorise(who, Action.MEASURES_ISSUE, who.org_id)
    earlier = tx.measures.by_key(measure.key)
    if earlier is not None:
        if _content(earlier) != _content(measure):
            raise ConflictError("the idempotency key was used for another measure")
        return IssueOutcome(earlier, replayed=True)
    _check_addressees(tx, measure)
    stopper = AllowSet(tx.measures.allowed(None)).stopper(
        Item(measure.kind, measure.value, measure.id)
    )
    if stopper is not None:
        _audit(tx, who, measure, "measure.stopped", Outcome.DENIED, stopper.value)
        return IssueOutcome(measure, replayed=False, stopped_by=stopper)
    tx.measures.add(measure)
    _audit(tx, who, measure, "measure.issue", Outcome.SUCCESS, f"{measure.kind} {measure.value}")
    return IssueOutcome(measure, replayed=False)


def withdraw(tx: UnitOfWork, who: Principal, measure_id: str, reason: str, at: datetime) -> Measure:
    """Withdraw a measure of the caller's organisation (any, for the centre's admin)."""
    measure = tx.measures.get(measure_id)
    if measure is None or not (who.is_centre_admin or who.org_id == measure.org_id):
        raise NotFoundError("not found")
    authorise(who, Action.MEASURES_ISSUE, measure.org_id)
    text = reason.strip()
    if not 0 < len(text) <= 1000 or not text.isprintable():
        raise InputError("a reason of 1 to 1000 printable characters is needed", place="reason")
    if tx.measures.withdraw(measure_id, at, who.person_id, text):
        _audit(tx, who, measure, "measure.withdraw", Outcome.SUCCESS, text)
    found = tx.measures.get(measure_id)
    assert found is not None
    return found


def _content(measure: Measure) -> tuple[object, ...]:
    return (
        measure.kind,
        measure.value,
        measure.reason,
        measure.valid_until,
        measure.confidence,
        measure.tlp,
        measure.community_ids,
        measure.recipient_org_ids,
    )


def _check_addressees(tx: UnitOfWork, measure: Measure) -> None:
    known = {org.id for org in tx.organisations.list()}
    for member in sorted(measure.recipient_org_ids - known):
        raise InputError(f"unknown member {member!r}", place="members")
    communities = {community.id for community in tx.communities.list()}
    for community in sorted(measure.community_ids - communities):
        raise InputError(f"unknown community {community!r}", place="communities")


def _audit(
    tx: UnitOfWork, who: Principal, measure: Measure, action: str, outcome: Outcome, detail: str
) -> None:
    record = AuditRecord(
        who.person_id, who.org_id, action, "measure", measure.id, outcome, detail[:500]
    )
    tx.audit.append(record)
