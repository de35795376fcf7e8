"""SQL repository for notification channels, notifications and the outbox of deliveries.

Every write runs in the caller's transaction. A notification's idempotency key and a
delivery's (notification, channel) pair are unique indexes: a second ``add`` or
``enqueue`` of the same thing inserts nothing (``ON CONFLICT DO NOTHING`` on both
databases) and says so. ``claim`` is a compare-and-set on the attempt count, so of two
workers that saw the same due delivery exactly one sends it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from shieldwall.model.identity import Role
from shieldwall.model.notification import (
    Channel,
    ChannelType,
    Delivery,
    DeliveryStatus,
    NewNotification,
    Notification,
)
from shieldwall.model.sharing import TlpLevel
from shieldwall.store.sql.audience_json import audience_fields, audience_json
from shieldwall.store.sql.tables import notifications, notify_channels, notify_deliveries


def _channel(row: Any) -> Channel:
    return Channel(
        id=row.id,
        org_id=row.org_id,
        type=ChannelType(row.type),
        target=row.target,
        max_tlp=TlpLevel(row.max_tlp),
        role=Role(row.role) if row.role else None,
        person_id=row.person_id,
        name=row.name,
        active=row.active,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def _notification(row: Any) -> Notification:
    return Notification(
        id=row.id,
        org_id=row.org_id,
        sender=row.sender,
        event_kind=row.event_kind,
        subject=row.subject,
        body=row.body,
        tlp=TlpLevel(row.tlp),
        idempotency_key=row.idempotency_key,
        created_at=row.created_at,
        **audience_fields(row.audience),
    )


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=row.id,
        notification_id=row.notification_id,
        channel_id=row.channel_id,
        org_id=row.org_id,
        key=row.key,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        reason=row.reason,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
        updated_at=row.updated_at,
    )


class SqlNotifications:
    """Channels, notifications and deliveries in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now
        self._dialect: Any = postgresql if connection.dialect.name == "postgresql" else sqlite

    def add_channel(self, channel: Channel, secret: str | None) -> None:
        """Store a new channel (and the webhook's signing key beside it)."""
        self._db.execute(
            insert(notify_channels).values(
                id=channel.id,
                org_id=channel.org_id,
                type=channel.type.value,
                target=channel.target,
                secret=secret,
                max_tlp=int(channel.max_tlp),
                role=channel.role.value if channel.role else None,
                person_id=channel.person_id,
                name=channel.name,
                active=channel.active,
                created_by=channel.created_by,
                created_at=self._now,
            )
        )

    def channel(self, channel_id: str) -> Channel | None:
        """One channel, or None."""
        row = self._db.execute(
            select(notify_channels).where(notify_channels.c.id == channel_id)
        ).first()
        return None if row is None else _channel(row)

    def channels(self, org_ids: Collection[str] | None) -> Sequence[Channel]:
        """The channels of these organisations (every one for None), oldest first."""
        query = select(notify_channels).order_by(notify_channels.c.created_at, notify_channels.c.id)
        if org_ids is not None:
            query = query.where(notify_channels.c.org_id.in_(list(org_ids)))
        return [_channel(row) for row in self._db.execute(query)]

    def channel_secret(self, channel_id: str) -> str | None:
        """The webhook's signing key (only the delivery worker asks)."""
        query = select(notify_channels.c.secret).where(notify_channels.c.id == channel_id)
        found: str | None = self._db.execute(query).scalar()
        return found

    def set_channel_active(self, channel_id: str, active: bool) -> None:
        """Turn a channel on or off (deliveries to an inactive channel wait)."""
        self._db.execute(
            update(notify_channels).where(notify_channels.c.id == channel_id).values(active=active)
        )

    def add(self, new: NewNotification) -> tuple[Notification, bool]:
        """Store the notification once per idempotency key; (stored, True when new)."""
        statement = (
            self._dialect.insert(notifications)
            .values(
                idempotency_key=new.idempotency_key,
                org_id=new.org_id,
                sender=new.sender,
                event_kind=new.event_kind,
                subject=new.subject,
                body=new.body,
                tlp=int(new.tlp),
                audience=audience_json(new),
                created_at=self._now,
            )
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(notifications.c.id)
        )
        created = self._db.execute(statement).first() is not None
        row = self._db.execute(
            select(notifications).where(notifications.c.idempotency_key == new.idempotency_key)
        ).one()
        return _notification(row), created

    def get(self, notification_id: int) -> Notification | None:
        """One notification, or None."""
        row = self._db.execute(
            select(notifications).where(notifications.c.id == notification_id)
        ).first()
        return None if row is None else _notification(row)

    def enqueue(
        self, notification_id: int, channel: Channel, key: str, status: DeliveryStatus, reason: str
    ) -> bool:
        """Queue the notification on the channel once; False when it already was."""
        statement = (
            self._dialect.insert(notify_deliveries)
            .values(
                key=key,
                notification_id=notification_id,
                channel_id=channel.id,
                org_id=channel.org_id,
                status=status.value,
                attempts=0,
                next_attempt_at=self._now,
                reason=reason,
                last_error="",
                updated_at=self._now,
            )
            .on_conflict_do_nothing()
            .returning(notify_deliveries.c.id)
        )
        return self._db.execute(statement).first() is not None

    def due(self, now: datetime, limit: int) -> Sequence[Delivery]:
        """Pending deliveries whose next attempt is due, the longest waiting first."""
        table = notify_deliveries
        query = (
            select(table)
            .where(table.c.status == DeliveryStatus.PENDING.value, table.c.next_attempt_at <= now)
            .order_by(table.c.next_attempt_at, table.c.id)
            .limit(limit)
        )
        return [_delivery(row) for row in self._db.execute(query)]

    def claim(self, delivery_id: int, attempts: int, lease_until: datetime) -> bool:
        """Take the delivery for one more attempt unless another worker did first."""
        table = notify_deliveries
        statement = (
            update(table)
            .where(
                table.c.id == delivery_id,
                table.c.attempts == attempts,
                table.c.status == DeliveryStatus.PENDING.value,
            )
            .values(attempts=attempts + 1, next_attempt_at=lease_until, updated_at=self._now)
        )
        return bool(self._db.execute(statement).rowcount == 1)

    def finish(
        self, delivery_id: int, status: DeliveryStatus, next_attempt_at: datetime, error: str
    ) -> None:
        """Record an attempt's outcome: delivered, pending again later, or dead."""
        delivered = self._now if status is DeliveryStatus.DELIVERED else None
        self._db.execute(
            update(notify_deliveries)
            .where(notify_deliveries.c.id == delivery_id)
            .values(
                status=status.value,
                next_attempt_at=next_attempt_at,
                last_error=error[:500],
                delivered_at=delivered,
                updated_at=self._now,
            )
        )

    def delivery(self, delivery_id: int) -> Delivery | None:
        """One delivery, or None."""
        row = self._db.execute(
            select(notify_deliveries).where(notify_deliveries.c.id == delivery_id)
        ).first()
        return None if row is None else _delivery(row)

    def deliveries(
        self,
        org_ids: Collection[str] | None,
        status: DeliveryStatus | None,
        *,
        after: int,
        limit: int,
    ) -> Sequence[Delivery]:
        """Deliveries to these organisations' channels (every one for None) after id ``after``."""
        table = notify_deliveries
        query = select(table).where(table.c.id > after).order_by(table.c.id).limit(limit)
        if org_ids is not None:
            query = query.where(table.c.org_id.in_(list(org_ids)))
        if status is not None:
            query = query.where(table.c.status == status.value)
        return [_delivery(row) for row in self._db.execute(query)]

    def of_notification(self, notification_id: int) -> Sequence[Delivery]:
        """Every delivery of one notification."""
        table = notify_deliveries
        query = select(table).where(table.c.notification_id == notification_id)
        return [_delivery(row) for row in self._db.execute(query.order_by(table.c.id))]

    def redrive(self, delivery_id: int) -> bool:
        """A dead letter back in the queue, due now, its attempts counted afresh."""
        table = notify_deliveries
        statement = (
            update(table)
            .where(table.c.id == delivery_id, table.c.status == DeliveryStatus.DEAD.value)
            .values(
                status=DeliveryStatus.PENDING.value,
                attempts=0,
                next_attempt_at=self._now,
                updated_at=self._now,
            )
        )
        return bool(self._db.execute(statement).rowcount == 1)
