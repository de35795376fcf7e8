"""How a notification leaves, one sender per channel type, and what a sender promises.

A sender delivers one notification to one channel or raises :class:`DeliveryFailedError`
with a reason that is safe to keep and show: an HTTP status, an SMTP reply code, the kind
of network error, never a URL, a key, a password or a server's text that could echo one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from shieldwall.model.errors import ShieldwallError
from shieldwall.model.notification import Channel, Delivery, Notification, Secret


class DeliveryFailedError(ShieldwallError):
    """One attempt failed; ``reason`` is safe to log and show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Job:
    """One claimed attempt: the delivery, its channel, the channel's key, the notification."""

    delivery: Delivery
    channel: Channel
    secret: Secret | None
    notification: Notification

    @property
    def attempt(self) -> int:
        """This attempt's number, from 1."""
        return self.delivery.attempts + 1


class Sender(Protocol):
    """Delivers one job or raises DeliveryFailedError."""

    async def send(self, job: Job) -> None: ...

    async def close(self) -> None: ...


def payload(job: Job) -> dict[str, Any]:
    """What a receiver is told: the notification, its TLP, and the delivery's key."""
    note = job.notification
    return {
        "delivery": job.delivery.key,
        "notification_id": note.id,
        "event_kind": note.event_kind,
        "tlp": note.tlp.label,
        "from_org": note.org_id,
        "subject": note.subject,
        "body": note.body,
        "created_at": note.created_at.isoformat(),
    }
