"""The assistance desk: ask for help, see who may help, offer, accept, report, close.

Every step runs in one transaction with the caller's view of the gate: the change, the
request's timeline, the audit entry and the notification that tells the other side all
commit together or not at all. What the caller sees of a request's offers and timeline
is cut to what concerns it (:func:`.rules.sees_offer`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shieldwall.model.assistance import (
    AssistRequest,
    Need,
    NewRequest,
    Offer,
    OfferStatus,
    RequestStatus,
    Urgency,
)
from shieldwall.model.audit import AuditRecord
from shieldwall.model.errors import InputError, NotFoundError, PermissionDeniedError
from shieldwall.model.identity import Principal
from shieldwall.model.notification import NewNotification
from shieldwall.model.sharing import Addressees, TlpLevel
from shieldwall.policy import StoreDirectory, Viewer
from shieldwall.policy.roles import Action
from shieldwall.respond.assist import rules
from shieldwall.respond.assist.views import AssistView
from shieldwall.respond.notify import enqueue
from shieldwall.store.protocols import Store, UnitOfWork

MAX_PAGE = 1000
SCAN_BATCH = 500


@dataclass(frozen=True, slots=True)
class HelpWanted:
    """What a member asks for."""

    title: str
    description: str
    needs: tuple[Need, ...]
    urgency: Urgency
    tlp: TlpLevel
    audience: Addressees = field(default_factory=Addressees)


@dataclass(frozen=True, slots=True)
class AssistDesk:
    """Requests for assistance through the gate, each step audited and announced."""

    store: Store

    def request(self, who: Principal, wanted: HelpWanted, key: str | None = None) -> AssistView:
        """Ask for help; the members the gate allows are told through their channels.

        ``key`` is a playbook step's idempotency key: the database keeps it unique, so a
        step repeated after a restart finds the request it opened (nobody is told twice)
        instead of opening a second one."""
        rules.require(who, Action.ASSIST_ACT)
        new = NewRequest(
            org_id=who.org_id,
            requester=who.person_id,
            title=wanted.title,
            description=wanted.description,
            needs=wanted.needs,
            urgency=wanted.urgency,
            tlp=wanted.tlp,
            **wanted.audience.addressed(),
        )
        rules.check_new(new)
        with self.store.transaction() as tx:
            found = tx.assistance.by_step_key(key) if key else None
            if found is not None:
                return _view(tx, who, found)
            addressed = rules.through_the_centre(new, tx.organisations.list())
            stored = tx.assistance.add(addressed, key)
            detail = {"needs": [n.value for n in new.needs], "urgency": new.urgency.value}
            _step(tx, who, stored, "asked", detail)
            _tell(tx, who, stored, "assist.request", f"Help wanted: {stored.title}", stored)
            return _view(tx, who, stored)

    def page(
        self,
        who: Principal,
        status: RequestStatus | None = None,
        *,
        after: int = 0,
        limit: int = 100,
    ) -> Sequence[AssistRequest]:
        """The requests the caller may see after id ``after``, oldest first."""
        rules.require(who, Action.ASSIST_READ)
        limit = max(1, min(limit, MAX_PAGE))
        found: list[AssistRequest] = []
        with self.store.reading() as tx:
            viewer = Viewer.for_principal(who, StoreDirectory(tx))
            while len(found) < limit:
                batch = tx.assistance.page(status, after=after, limit=SCAN_BATCH)
                found += [r for r in batch if viewer.decide(rules.descriptor(r)).allowed]
                if len(batch) < SCAN_BATCH:
                    break
                after = batch[-1].id
        return found[:limit]

    def get(self, who: Principal, request_id: int) -> AssistView:
        """One request with its offers and timeline as the caller may see them."""
        rules.require(who, Action.ASSIST_READ)
        with self.store.reading() as tx:
            return _view(tx, who, _visible(tx, who, request_id))

    def offer(self, who: Principal, request_id: int, need: Need, text: str) -> AssistView:
        """Offer help towards a request the caller sees (not its own organisation's)."""
        rules.require(who, Action.ASSIST_ACT)
        kept = rules.check_text(text, "text")
        with self.store.transaction() as tx:
            request = _visible(tx, who, request_id)
            rules.check_open(request)
            if who.org_id == request.org_id:
                raise InputError("an organisation does not offer help to itself", place="org")
            offer = tx.assistance.add_offer(request.id, who.org_id, who.person_id, need, kept)
            tx.assistance.mark(request.id, "first_offer_at")
            _step(tx, who, request, "offered", {"offer": offer.id, "need": need.value})
            to = (request.org_id, request.requester)
            _tell_org(tx, who, request, "assist.offer", f"Offer of {need.value}", to)
            return _view(tx, who, _reloaded(tx, request.id))

    def accept(self, who: Principal, request_id: int, offer_id: int) -> AssistView:
        """The requester or the centre accepts an offer: it becomes the helper's task."""
        rules.require(who, Action.ASSIST_ACT)
        with self.store.transaction() as tx:
            request, offer = _owned_offer(tx, who, request_id, offer_id)
            if offer.status is not OfferStatus.OFFERED:
                raise InputError(f"offer {offer_id} is {offer.status}", place="offer")
            tx.assistance.set_offer_status(offer.id, OfferStatus.ACCEPTED)
            tx.assistance.mark(request.id, "accepted_at")
            if request.status is RequestStatus.OPEN:
                tx.assistance.set_status(request.id, RequestStatus.ACCEPTED, "")
            _step(tx, who, request, "accepted", {"offer": offer.id, "org": offer.org_id})
            to = (offer.org_id, offer.person_id)
            _tell_org(tx, who, request, "assist.accepted", "Your offer was accepted", to)
            return _view(tx, who, _reloaded(tx, request.id))

    def progress(
        self, who: Principal, request_id: int, offer_id: int, status: OfferStatus, note: str = ""
    ) -> AssistView:
        """The helper reports on its task; the requester is told."""
        rules.require(who, Action.ASSIST_ACT)
        with self.store.transaction() as tx:
            request = _visible(tx, who, request_id)
            offer = _offer_of(tx, who, request, offer_id)
            if offer.org_id != who.org_id:
                raise PermissionDeniedError("only the offering organisation reports on its task")
            if status not in rules.PROGRESS.get(offer.status, frozenset()):
                raise InputError(f"offer {offer_id} cannot go from {offer.status} to {status}")
            tx.assistance.set_offer_status(offer.id, status)
            detail = {"offer": offer.id, "status": status.value, "note": note[: rules.MAX_TEXT]}
            _step(tx, who, request, "progress", detail)
            to = (request.org_id, request.requester)
            _tell_org(tx, who, request, "assist.progress", f"Task {status.value}", to)
            return _view(tx, who, _reloaded(tx, request.id))

    def close(self, who: Principal, request_id: int, reason: str) -> AssistView:
        """The requester or the centre closes the request; open offers are declined."""
        rules.require(who, Action.ASSIST_ACT)
        kept = rules.check_text(reason, "reason", 1000)
        with self.store.transaction() as tx:
            request = _visible(tx, who, request_id)
            if not rules.is_owner(who, request):
                raise PermissionDeniedError("only the requester or the centre closes a request")
            rules.check_open(request)
            for offer in tx.assistance.offers(request.id):
                if offer.status is OfferStatus.OFFERED:
                    tx.assistance.set_offer_status(offer.id, OfferStatus.DECLINED)
            tx.assistance.set_status(request.id, RequestStatus.CLOSED, kept)
            _step(tx, who, request, "closed", {"reason": kept})
            return _view(tx, who, _reloaded(tx, request.id))


def _visible(tx: UnitOfWork, who: Principal, request_id: int) -> AssistRequest:
    viewer = Viewer.for_principal(who, StoreDirectory(tx))
    return rules.visible(viewer, tx.assistance.get(request_id), request_id)


def _reloaded(tx: UnitOfWork, request_id: int) -> AssistRequest:
    found = tx.assistance.get(request_id)
    assert found is not None  # read in this transaction
    return found


def _offer_of(tx: UnitOfWork, who: Principal, request: AssistRequest, offer_id: int) -> Offer:
    offer = tx.assistance.offer(offer_id)
    if offer is None or offer.request_id != request.id or not rules.sees_offer(who, request, offer):
        raise NotFoundError(f"offer {offer_id} not found")
    return offer


def _owned_offer(
    tx: UnitOfWork, who: Principal, request_id: int, offer_id: int
) -> tuple[AssistRequest, Offer]:
    request = _visible(tx, who, request_id)
    offer = _offer_of(tx, who, request, offer_id)
    if not rules.is_owner(who, request):
        raise PermissionDeniedError("only the requester or the centre accepts offers")
    rules.check_open(request)
    return request, offer


def _view(tx: UnitOfWork, who: Principal, request: AssistRequest) -> AssistView:
    offers = [o for o in tx.assistance.offers(request.id) if rules.sees_offer(who, request, o)]
    owner = rules.is_owner(who, request)
    history = [e for e in tx.assistance.history(request.id) if owner or e.org_id == who.org_id]
    return AssistView(request, offers, history)


def _step(
    tx: UnitOfWork, who: Principal, request: AssistRequest, action: str, detail: dict[str, Any]
) -> None:
    tx.assistance.record(request.id, who.person_id, who.org_id, action, detail)
    tx.audit.append(
        AuditRecord(who.person_id, who.org_id, f"assist.{action}", "assistance", str(request.id))
    )


def _tell(
    tx: UnitOfWork,
    who: Principal,
    request: AssistRequest,
    kind: str,
    subject: str,
    audience: Addressees,
) -> None:
    """Announce a step, as the requester's item (its TLP), to the audience given."""
    body = f"{request.title}\n\nNeeds: {', '.join(n.value for n in request.needs)}; "
    body += f"urgency {request.urgency.value}. Request {request.id}."
    new = NewNotification(
        org_id=request.org_id,
        sender=who.person_id,
        event_kind=kind,
        subject=subject[:300],
        body=body,
        tlp=request.tlp,
        idempotency_key=f"{request.org_id}:assist:{request.id}:{_last_step(tx, request.id)}",
        **audience.addressed(),
    )
    enqueue(tx, new)


def _tell_org(
    tx: UnitOfWork,
    who: Principal,
    request: AssistRequest,
    kind: str,
    subject: str,
    to: tuple[str, str],
) -> None:
    """Announce a step to one organisation, ``to`` = (organisation, person); at RED to the
    person alone."""
    org_id, person_id = to
    if request.tlp is TlpLevel.RED:
        audience = Addressees(recipient_person_ids=frozenset({person_id}))
    else:
        audience = Addressees(recipient_org_ids=frozenset({org_id}))
    _tell(tx, who, request, kind, subject, audience)


def _last_step(tx: UnitOfWork, request_id: int) -> int:
    """The id of the step just recorded: each announcement's key is its step's."""
    return tx.assistance.history(request_id)[-1].id
