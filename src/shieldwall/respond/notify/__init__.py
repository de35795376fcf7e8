"""Notifications: members' channels, the durable outbox, the delivery worker.

:class:`NotificationDesk` (``desk``) is what other code calls: it keeps a notification and
queues it, through the sharing gate (``routing``), on every channel whose holder may
receive it and whose maximum TLP allows it, in one transaction. :class:`DeliveryWorker`
(``worker``) works the queue with retries and dead letters; the senders are ``webhook``
(signed by ``signing``, guarded against SSRF) and ``mail`` (SMTP). ``channels`` checks and
shows channels without their secrets.
"""

from shieldwall.respond.notify.channels import ChannelRequest, channel_json, delivery_json
from shieldwall.respond.notify.desk import NotificationDesk, Receipt, enqueue
from shieldwall.respond.notify.mail import EmailSender, SmtpRelay
from shieldwall.respond.notify.senders import DeliveryFailedError, Job, Sender
from shieldwall.respond.notify.signing import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify,
)
from shieldwall.respond.notify.webhook import WebhookSender
from shieldwall.respond.notify.worker import DeliveryWorker

__all__ = [
    "DELIVERY_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "ChannelRequest",
    "DeliveryFailedError",
    "DeliveryWorker",
    "EmailSender",
    "Job",
    "NotificationDesk",
    "Receipt",
    "Sender",
    "SmtpRelay",
    "WebhookSender",
    "channel_json",
    "delivery_json",
    "enqueue",
    "verify",
]
