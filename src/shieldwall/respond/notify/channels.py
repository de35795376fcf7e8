"""A member's channel, checked before it is kept, and shown without its secrets.

A webhook's URL is an ``https://`` URL without credentials (plain ``http://`` only where
the operator allows private addresses, for labs); its signing key is the member's, given
once, at least 32 characters, and never shown again. An e-mail channel's address is one
plain address (no display name, no line breaks that could add headers). TLP:RED goes to a
person's own channel only; an organisation's or a role's channel carries AMBER+STRICT at
most (:mod:`shieldwall.policy.egress`). What is shown of a webhook is its origin: the
path of many receivers' URLs is itself a credential.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from shieldwall.model.errors import InputError
from shieldwall.model.identity import Role
from shieldwall.model.notification import Channel, ChannelType, Delivery, Secret
from shieldwall.model.sharing import TlpLevel

MIN_SECRET = 32
MAX_SECRET = 500
MAX_URL = 2000
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$"
)
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


@dataclass(frozen=True, slots=True)
class ChannelRequest:
    """What a member asks for when adding a channel."""

    org_id: str
    type: ChannelType
    target: str
    max_tlp: TlpLevel
    role: Role | None = None
    person_id: str | None = None
    name: str = ""
    secret: Secret | None = None


def check_channel(request: ChannelRequest, *, allow_plain_http: bool) -> None:
    """InputError naming the first problem of a channel about to be added."""
    if request.type is ChannelType.WEBHOOK:
        _check_webhook(request.target, allow_plain_http)
        _check_secret(request.secret)
    else:
        _check_email(request.target)
        if request.secret is not None:
            raise InputError("an e-mail channel takes no secret", place="secret")
    if request.max_tlp is TlpLevel.RED and request.person_id is None:
        raise InputError(
            "TLP:RED goes to named people only: give the channel a person", place="max_tlp"
        )
    if request.role is not None and request.person_id is not None:
        raise InputError("a channel is for a role or for a person, not both", place="role")
    if request.role is Role.SENSOR:
        raise InputError("sensors receive no notifications", place="role")
    if len(request.name) > 200:
        raise InputError("a channel's name is 200 characters at most", place="name")


def _check_webhook(url: str, allow_plain_http: bool) -> None:
    if len(url) > MAX_URL or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise InputError("not a usable URL", place="target")
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as exc:
        raise InputError("not a usable URL", place="target") from exc
    schemes = ("https", "http") if allow_plain_http else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise InputError(f"a webhook is a {' or '.join(schemes)} URL", place="target")
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise InputError("a webhook URL carries no credentials and no fragment", place="target")


def _check_secret(secret: Secret | None) -> None:
    if secret is None or not MIN_SECRET <= len(secret.reveal()) <= MAX_SECRET:
        raise InputError(
            f"a webhook needs a signing key of {MIN_SECRET} to {MAX_SECRET} characters",
            place="secret",
        )


def _check_email(address: str) -> None:
    labels = address.rpartition("@")[2].split(".")
    if not _EMAIL.match(address) or len(labels) < 2 or not all(map(_LABEL.match, labels)):
        raise InputError("not a plain e-mail address", place="target")


def shown_target(channel: Channel) -> str:
    """What answers show of the target: a webhook's origin, an e-mail address whole."""
    if channel.type is ChannelType.EMAIL:
        return channel.target
    parts = urlsplit(channel.target)
    tail = "/…" if parts.path not in ("", "/") or parts.query else "/"
    return f"{parts.scheme}://{parts.netloc}{tail}"


def channel_json(channel: Channel) -> dict[str, Any]:
    """A channel as answers show it: never its key, never a webhook's full URL."""
    return {
        "id": channel.id,
        "org_id": channel.org_id,
        "type": channel.type.value,
        "target": shown_target(channel),
        "max_tlp": channel.max_tlp.label,
        "role": channel.role.value if channel.role else None,
        "person_id": channel.person_id,
        "name": channel.name,
        "active": channel.active,
        "created_at": channel.created_at.isoformat() if channel.created_at else None,
    }


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    """One delivery of the outbox (a dead letter, say), with why it failed or was refused."""
    return {
        "id": delivery.id,
        "notification_id": delivery.notification_id,
        "channel_id": delivery.channel_id,
        "org_id": delivery.org_id,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at.isoformat(),
        "reason": delivery.reason,
        "last_error": delivery.last_error,
        "delivered_at": delivery.delivered_at.isoformat() if delivery.delivered_at else None,
    }
