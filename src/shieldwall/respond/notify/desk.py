"""The notification desk: what playbooks, incidents, requests for help and people call.

:meth:`NotificationDesk.notify` keeps the notification and queues one delivery per channel
the gate allows, in one transaction, before it returns: once it has returned, a crash
loses nothing (the delivery worker finds the queue in the database), and calling it again
with the same idempotency key queues nothing more. Channels, dead letters and re-drives
are managed here too, each checked with the permission table and written to the audit
log in the same transaction as the change.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from shieldwall.model.audit import AuditRecord
from shieldwall.model.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from shieldwall.model.identity import Principal
from shieldwall.model.notification import (
    Channel,
    Delivery,
    DeliveryStatus,
    NewNotification,
)
from shieldwall.model.sharing import Addressees, TlpLevel
from shieldwall.policy import StoreDirectory
from shieldwall.policy.roles import Action, authorise, may
from shieldwall.respond.notify.channels import ChannelRequest, check_channel
from shieldwall.respond.notify.routing import Route, route
from shieldwall.store.protocols import Store, UnitOfWork

MAX_SUBJECT = 300
MAX_BODY = 20_000
MAX_KEY = 300
MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the sender learns: the notification's id and whether this call created it.

    How many channels it reached is not said: that would tell a member how many channels
    of other members may see its item.
    """

    notification_id: int
    created: bool


@dataclass(frozen=True, slots=True)
class NotificationDesk:
    """Sends notifications through the gate and manages members' channels."""

    store: Store
    allow_plain_http: bool = False
    """Webhooks on plain http:// (only where private addresses are allowed, for labs)."""

    def notify(
        self,
        who: Principal,
        event_kind: str,
        subject: str,
        body: str,
        tlp: TlpLevel,
        audience: Addressees,
        idempotency_key: str,
    ) -> Receipt:
        """Keep the notification and queue it for every channel the gate allows."""
        if not may(who.role, Action.NOTIFY_SEND):
            raise PermissionDeniedError(f"the {who.role} role may not send notifications")
        new = NewNotification(
            org_id=who.org_id,
            sender=who.person_id,
            event_kind=event_kind,
            subject=subject,
            body=body,
            tlp=tlp,
            idempotency_key=f"{who.org_id}:{idempotency_key}",
            **audience.addressed(),
        )
        _check_notification(new, idempotency_key)
        with self.store.transaction() as tx:
            return enqueue(tx, new)

    def add_channel(self, who: Principal, request: ChannelRequest) -> Channel:
        """Add a channel of an organisation, one of its roles or one of its people."""
        authorise(who, Action.NOTIFY_MANAGE, request.org_id)
        check_channel(request, allow_plain_http=self.allow_plain_http)
        channel = Channel(
            id=str(uuid.uuid4()),
            org_id=request.org_id,
            type=request.type,
            target=request.target,
            max_tlp=request.max_tlp,
            role=request.role,
            person_id=request.person_id,
            name=request.name,
            created_by=who.person_id,
        )
        with self.store.transaction() as tx:
            _check_holder(tx, request)
            secret = request.secret.reveal() if request.secret is not None else None
            tx.notifications.add_channel(channel, secret)
            _audit(tx, who, "notify.channel.add", "channel", channel.id, request.org_id)
            stored = tx.notifications.channel(channel.id)
        assert stored is not None  # written in the transaction above
        return stored

    def channels(self, who: Principal, org_id: str | None = None) -> Sequence[Channel]:
        """The channels of the caller's organisation (the centre's admins: any, or all)."""
        scope = _scope(who, org_id)
        with self.store.reading() as tx:
            return tx.notifications.channels(scope)

    def test_channel(self, who: Principal, channel_id: str) -> Receipt:
        """Queue a TLP:CLEAR test message on one channel (a new one each call)."""
        with self.store.transaction() as tx:
            channel = _managed_channel(tx, who, channel_id)
            new = NewNotification(
                org_id=channel.org_id,
                sender=who.person_id,
                event_kind="notify.test",
                subject="Shieldwall test notification",
                body=f"A test of channel {channel.name or channel.id}.",
                tlp=TlpLevel.CLEAR,
                idempotency_key=f"{channel.org_id}:test:{uuid.uuid4()}",
                recipient_org_ids=frozenset({channel.org_id}),
            )
            stored, _ = tx.notifications.add(new)
            _queue(
                tx, stored.id, stored.idempotency_key, [Route(channel, DeliveryStatus.PENDING, "")]
            )
            _audit(tx, who, "notify.channel.test", "channel", channel.id, channel.org_id)
        return Receipt(stored.id, True)

    def deliveries(
        self,
        who: Principal,
        status: DeliveryStatus | None = DeliveryStatus.DEAD,
        *,
        org_id: str | None = None,
        after: int = 0,
        limit: int = 100,
    ) -> Sequence[Delivery]:
        """Deliveries to the caller's channels; by default the dead letters."""
        scope = _scope(who, org_id)
        with self.store.reading() as tx:
            return tx.notifications.deliveries(
                scope, status, after=after, limit=max(1, min(limit, MAX_PAGE))
            )

    def redrive(self, who: Principal, delivery_id: int) -> Delivery:
        """Put a dead letter back in the queue, due now, with its attempts afresh."""
        with self.store.transaction() as tx:
            found = tx.notifications.delivery(delivery_id)
            if found is None:
                raise NotFoundError(f"delivery {delivery_id} not found")
            try:
                authorise(who, Action.NOTIFY_MANAGE, found.org_id)
            except NotFoundError:
                raise NotFoundError(f"delivery {delivery_id} not found") from None
            if not tx.notifications.redrive(delivery_id):
                raise ConflictError(f"delivery {delivery_id} is {found.status}, not dead")
            _audit(tx, who, "notify.redrive", "delivery", str(delivery_id), found.org_id)
            again = tx.notifications.delivery(delivery_id)
        assert again is not None
        return again


def enqueue(tx: UnitOfWork, new: NewNotification) -> Receipt:
    """Keep the notification and queue its routes, in the caller's transaction.

    Callers in this package (requests for assistance) notify in the same transaction as
    the change they announce, so the two commit together or not at all.
    """
    stored, created = tx.notifications.add(new)
    if created:
        channels = tx.notifications.channels(None)
        routes = route(StoreDirectory(tx), stored, channels)
        _queue(tx, stored.id, stored.idempotency_key, routes)
        refused = sorted({r.reason for r in routes if r.status is DeliveryStatus.REFUSED})
        tx.audit.append(
            AuditRecord(
                new.sender,
                new.org_id,
                "notify.send",
                "notification",
                str(stored.id),
                detail=f"{new.event_kind} {new.tlp.label} routes={len(routes)}"
                + (f" refused={','.join(refused)}" if refused else ""),
            )
        )
    return Receipt(stored.id, created)


def _queue(tx: UnitOfWork, notification_id: int, key: str, routes: Sequence[Route]) -> None:
    for found in routes:
        tx.notifications.enqueue(
            notification_id, found.channel, f"{key}@{found.channel.id}", found.status, found.reason
        )


def _check_notification(new: NewNotification, key: str) -> None:
    if not 1 <= len(key) <= MAX_KEY:
        raise InputError(
            f"an idempotency key is 1 to {MAX_KEY} characters", place="idempotency_key"
        )
    if not 1 <= len(new.subject) <= MAX_SUBJECT or "\n" in new.subject or "\r" in new.subject:
        raise InputError(f"a subject is one line of 1 to {MAX_SUBJECT} characters", place="subject")
    if len(new.body) > MAX_BODY:
        raise InputError(f"a body is {MAX_BODY} characters at most", place="body")
    if not 1 <= len(new.event_kind) <= 64:
        raise InputError("an event kind is 1 to 64 characters", place="event_kind")


def _check_holder(tx: UnitOfWork, request: ChannelRequest) -> None:
    if tx.organisations.get(request.org_id) is None:
        raise NotFoundError(f"organisation {request.org_id} not found")
    if request.person_id is None:
        return
    person = tx.people.get(request.person_id)
    if person is None or person.org_id != request.org_id or not person.active:
        raise InputError(
            "the person is not an active member of the organisation", place="person_id"
        )


def _scope(who: Principal, org_id: str | None) -> frozenset[str] | None:
    if org_id is None and who.is_centre_admin:
        authorise(who, Action.NOTIFY_MANAGE, None)
        return None
    target = org_id or who.org_id
    authorise(who, Action.NOTIFY_MANAGE, target)
    return frozenset({target})


def _managed_channel(tx: UnitOfWork, who: Principal, channel_id: str) -> Channel:
    channel = tx.notifications.channel(channel_id)
    if channel is None:
        raise NotFoundError(f"channel {channel_id} not found")
    try:
        authorise(who, Action.NOTIFY_MANAGE, channel.org_id)
    except NotFoundError:
        raise NotFoundError(f"channel {channel_id} not found") from None
    return channel


def _audit(
    tx: UnitOfWork, who: Principal, action: str, kind: str, object_id: str, org_id: str
) -> None:
    tx.audit.append(
        AuditRecord(who.person_id, who.org_id, action, kind, object_id, detail=f"org={org_id}")
    )
