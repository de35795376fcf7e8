"""Notifications over REST: send through the gate; channels, dead letters and re-drives.

Thin: the notification desk checks the permission table, the gate and the channel limits.
A channel's signing key goes in once and never comes back out; a webhook's URL is shown as
its origin. A delivery or channel of another member is "not found", like an absent one.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Response
from pydantic import Field, SecretStr, StringConstraints

from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.api.routes.respond_bodies import LEVELS, AudienceIn, Id, TlpName
from shieldwall.api.schemas import Slug, Strict
from shieldwall.model.identity import Role
from shieldwall.model.notification import ChannelType, DeliveryStatus, Secret
from shieldwall.respond import ChannelRequest, channel_json, delivery_json

router = APIRouter(prefix="/api/v1/notify", tags=["notifications"])
DeliveryId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class NotificationIn(Strict):
    """A notification: what happened, its TLP and audience, and the caller's key."""

    event_kind: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    subject: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    body: Annotated[str, Field(max_length=20_000)] = ""
    tlp: TlpName
    audience: AudienceIn = Field(default_factory=AudienceIn)
    idempotency_key: Annotated[str, StringConstraints(min_length=1, max_length=300)]


class ChannelIn(Strict):
    """A channel of an organisation (default: the caller's), one of its roles, or a person."""

    org_id: Slug | None = None
    type: ChannelType
    target: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    max_tlp: TlpName
    role: Role | None = None
    person_id: Id | None = None
    name: Annotated[str, StringConstraints(max_length=200)] = ""
    secret: SecretStr | None = None


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


@router.post("")
def send(svc: ServicesDep, who: PrincipalDep, body: NotificationIn) -> Response:
    """Queue a notification for every channel the gate allows (202: delivery follows)."""
    receipt = svc.notifications.notify(
        who,
        body.event_kind,
        body.subject,
        body.body,
        LEVELS[body.tlp],
        body.audience.addressees(),
        body.idempotency_key,
    )
    return _json({"notification_id": receipt.notification_id, "created": receipt.created}, 202)


@router.get("/channels")
def list_channels(
    svc: ServicesDep, who: PrincipalDep, org: Annotated[Slug | None, Query()] = None
) -> Response:
    """The caller's organisation's channels (the centre's admins: any, or all)."""
    found = svc.notifications.channels(who, org)
    return _json({"channels": [channel_json(channel) for channel in found]})


@router.post("/channels")
def add_channel(svc: ServicesDep, who: PrincipalDep, body: ChannelIn) -> Response:
    """Add a channel; its key is kept and never shown again."""
    request = ChannelRequest(
        org_id=body.org_id or who.org_id,
        type=body.type,
        target=body.target,
        max_tlp=LEVELS[body.max_tlp],
        role=body.role,
        person_id=body.person_id,
        name=body.name,
        secret=Secret(body.secret.get_secret_value()) if body.secret is not None else None,
    )
    return _json(channel_json(svc.notifications.add_channel(who, request)), 201)


@router.post("/channels/{channel_id}/test")
def test_channel(
    svc: ServicesDep, who: PrincipalDep, channel_id: Annotated[str, Path(max_length=64)]
) -> Response:
    """Queue a TLP:CLEAR test message on the channel."""
    receipt = svc.notifications.test_channel(who, channel_id)
    return _json({"notification_id": receipt.notification_id}, 202)


@router.get("/deliveries")
def list_deliveries(
    svc: ServicesDep,
    who: PrincipalDep,
    status: DeliveryStatus = DeliveryStatus.DEAD,
    org: Annotated[Slug | None, Query()] = None,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Deliveries to the caller's channels: by default the dead letters."""
    page = svc.notifications.deliveries(who, status, org_id=org, after=after, limit=limit)
    body: dict[str, Any] = {"deliveries": [delivery_json(d) for d in page]}
    if len(page) == limit:
        body["next_after"] = page[-1].id
    return _json(body)


@router.post("/deliveries/{delivery_id}/redrive")
def redrive(svc: ServicesDep, who: PrincipalDep, delivery_id: DeliveryId) -> Response:
    """Put a dead letter back in the queue."""
    return _json(delivery_json(svc.notifications.redrive(who, delivery_id)))
