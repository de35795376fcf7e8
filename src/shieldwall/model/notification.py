"""Notifications: members' channels, the notifications sent, and the outbox of deliveries.

Plain values. Who may receive a notification through which channel is decided by the
sharing gate (:mod:`shieldwall.policy`) in :mod:`shieldwall.respond.notify`; the store
keeps the outbox so that nothing acknowledged is lost on a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shieldwall.model.identity import Role
from shieldwall.model.sharing import Addressees, TlpLevel


class ChannelType(StrEnum):
    """How a notification leaves: an HTTP POST to a member's receiver, or an e-mail."""

    WEBHOOK = "webhook"
    EMAIL = "email"


class DeliveryStatus(StrEnum):
    """Where one notification stands on one channel.

    ``pending`` waits for its next attempt; ``delivered`` was accepted by the receiver;
    ``dead`` failed every attempt (a dead letter, re-drivable); ``refused`` never left,
    because the item is above the channel's maximum TLP (the reason is kept).
    """

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    REFUSED = "refused"


class Secret:
    """A secret value that never prints: ``str``, ``repr`` and f-strings show ``***``.

    Webhook keys and SMTP passwords travel in this wrapper so that a log line, an error
    message or an API answer that formats one by mistake shows nothing of it.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one place that signs or authenticates with it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True, slots=True)
class Channel:
    """A member's channel: for the whole organisation, one of its roles, or one person.

    ``target`` is the webhook URL or the e-mail address; ``max_tlp`` the most restrictive
    level that may leave through it. The webhook's signing key is kept apart
    (:class:`Secret`), never in this value's text.
    """

    id: str
    org_id: str
    type: ChannelType
    target: str
    max_tlp: TlpLevel
    role: Role | None = None
    person_id: str | None = None
    name: str = ""
    active: bool = True
    created_by: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NewNotification(Addressees):
    """What a caller asks to send: the audience fields say to whom beyond the TLP."""

    org_id: str
    sender: str
    event_kind: str
    subject: str
    body: str
    tlp: TlpLevel
    idempotency_key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Notification(NewNotification):
    """A stored notification."""

    id: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    """One notification on one channel: the outbox row the delivery worker works from."""

    id: int
    notification_id: int
    channel_id: str
    org_id: str
    key: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    reason: str = ""
    last_error: str = ""
    delivered_at: datetime | None = None
    updated_at: datetime | None = None
