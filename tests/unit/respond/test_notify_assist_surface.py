"""The respond front door: front ends use exactly these names (issue 11)."""

from __future__ import annotations

import shieldwall.respond

EXPECTED = {
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
    "channel_json",
    "delivery_json",
    "offer_json",
    "assist_view_json",
    "verify_webhook_signature",
}


def test_the_front_door_exports_the_public_names() -> None:
    """A change to what front ends may use is a deliberate edit of this list (other parts
    of respond/ add theirs beside these)."""
    assert set(shieldwall.respond.__all__) >= EXPECTED


def test_every_exported_name_exists() -> None:
    missing = [n for n in shieldwall.respond.__all__ if not hasattr(shieldwall.respond, n)]
    assert missing == []
