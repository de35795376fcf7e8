"""Respond together: cases, playbooks, protective measures, notifications, requests for help.

The application that turns the live pipeline's incidents into collective action. Like the
other applications it reaches the database only through the store's protocols, and every
item it reads, writes, issues or sends passes the sharing gate (:mod:`shieldwall.policy`).
Front ends import only the names this module exports.
"""

from __future__ import annotations

from shieldwall.respond.assist import (
    AssistanceFeed,
    AssistDesk,
    AssistView,
    HelpWanted,
    offer_json,
)
from shieldwall.respond.assist import request_json as assist_request_json
from shieldwall.respond.assist import view_json as assist_view_json
from shieldwall.respond.notify import (
    ChannelRequest,
    DeliveryWorker,
    EmailSender,
    NotificationDesk,
    Receipt,
    SmtpRelay,
    WebhookSender,
    channel_json,
    delivery_json,
)
from shieldwall.respond.notify import verify as verify_webhook_signature

__all__: list[str] = []
__all__ += [
    "AssistDesk",
    "AssistView",
    "AssistanceFeed",
    "ChannelRequest",
    "DeliveryWorker",
    "EmailSender",
    "HelpWanted",
    "NotificationDesk",
    "Receipt",
    "SmtpRelay",
    "WebhookSender",
    "assist_request_json",
    "assist_view_json",
    "channel_json",
    "delivery_json",
    "offer_json",
    "verify_webhook_signature",
]
