"""Protective measures over REST: issue and withdraw, subscribe, allow-lists, and the lists
themselves, pulled by members' sensors with ETag and ``If-None-Match``.

Thin, as every route: the measure desk checks roles and the gate. A list holds only what
the gate lets the member receive; a subscription, an entry or a measure the caller may
not see is "not found", exactly like an absent one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Path, Query, Response
from pydantic import AwareDatetime, Field

from shieldwall import respond
from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.api.schemas import Slug, Strict
from shieldwall.model.identity import Principal
from shieldwall.model.measures import MeasureFormat, MeasureKind, Subscription

router = APIRouter(prefix="/api/v1", tags=["measures"])
SubName = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
EntryId = Annotated[str, Path(min_length=1, max_length=64)]
Member = Annotated[Slug | None, Query()]
Text = Annotated[str, Field(min_length=1, max_length=1000)]


class IssueIn(Strict):
    """A block to issue: what, why, until when, for whom; ``key`` makes it idempotent."""

    kind: MeasureKind
    value: Annotated[str, Field(min_length=1, max_length=2100)]
    reason: Text
    valid_until: AwareDatetime
    key: Annotated[str, Field(min_length=1, max_length=150)]
    confidence: Annotated[int, Field(ge=0, le=100)] = 100
    tlp: Annotated[str, Field(max_length=20)] = "green"
    communities: Annotated[tuple[Slug, ...], Field(max_length=50)] = ()
    members: Annotated[tuple[Slug, ...], Field(max_length=200)] = ()


class WithdrawIn(Strict):
    """Why the measure is withdrawn."""

    reason: Text


class SubscriptionIn(Strict):
    """What the member wants, in which formats."""

    kinds: Annotated[tuple[MeasureKind, ...], Field(min_length=1, max_length=10)] = tuple(
        MeasureKind
    )
    formats: Annotated[tuple[MeasureFormat, ...], Field(min_length=1, max_length=10)] = tuple(
        MeasureFormat
    )
    min_confidence: Annotated[int, Field(ge=0, le=100)] = 0
    indicators: bool = True


class AllowIn(Strict):
    """A value never to block: for a member (its own by default) or the whole coalition."""

    kind: MeasureKind
    value: Annotated[str, Field(min_length=1, max_length=300)]
    note: Annotated[str, Field(max_length=500)] = ""
    coalition: bool = False
    member: Slug | None = None


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


def _member(who: Principal, member: str | None) -> str:
    return member or who.org_id


@router.get("/measures")
def list_measures(svc: ServicesDep, who: PrincipalDep, include_inactive: bool = False) -> Response:
    """Measures the caller's organisation issued or may receive (current ones by default)."""
    found = svc.measures.measures(who, current=not include_inactive)
    return _json({"measures": [respond.measure_json(m) for m in found]})


@router.post("/measures")
def issue_measure(svc: ServicesDep, who: PrincipalDep, body: IssueIn) -> Response:
    """Issue a measure: 201 the first time, 200 with the same measure on a replayed key."""
    request = respond.IssueRequest(
        body.kind.value,
        body.value,
        body.reason,
        body.valid_until,
        body.confidence,
        body.tlp,
        frozenset(body.communities),
        frozenset(body.members),
    )
    outcome = svc.measures.issue(who, request, body.key)
    body_out = respond.measure_json(outcome.measure) | {"replayed": outcome.replayed}
    return _json(body_out, 200 if outcome.replayed else 201)


@router.post("/measures/{measure_id}/withdraw")
def withdraw_measure(
    svc: ServicesDep, who: PrincipalDep, measure_id: EntryId, body: WithdrawIn
) -> Response:
    """Withdraw a measure: gone from the next version of every list."""
    return _json(respond.measure_json(svc.measures.withdraw(who, measure_id, body.reason)))


@router.get("/measures/key")
def measures_key(svc: ServicesDep, who: PrincipalDep) -> Response:
    """The centre's Ed25519 public key (PEM) that verifies every list manifest."""
    return Response(svc.measures.public_key(who), 200, media_type="application/x-pem-file")


@router.get("/measures/subscriptions")
def list_subscriptions(svc: ServicesDep, who: PrincipalDep, member: Member = None) -> Response:
    """The member's subscriptions (the caller's own organisation by default)."""
    found = svc.measures.subscriptions(who, _member(who, member))
    return _json({"subscriptions": [respond.subscription_json(s) for s in found]})


@router.put("/measures/subscriptions/{name}")
def put_subscription(
    svc: ServicesDep, who: PrincipalDep, name: SubName, body: SubscriptionIn, member: Member = None
) -> Response:
    """Create or replace a subscription of the member."""
    sub = Subscription(
        _member(who, member),
        name,
        frozenset(body.kinds),
        frozenset(body.formats),
        body.min_confidence,
        body.indicators,
        datetime.now().astimezone(),
    )
    return _json(respond.subscription_json(svc.measures.subscribe(who, sub)))


@router.delete("/measures/subscriptions/{name}", status_code=204)
def delete_subscription(
    svc: ServicesDep, who: PrincipalDep, name: SubName, member: Member = None
) -> Response:
    """Remove a subscription of the member."""
    svc.measures.unsubscribe(who, _member(who, member), name)
    return Response(status_code=204)


@router.get("/measures/allowlist")
def read_allowlist(svc: ServicesDep, who: PrincipalDep, member: Member = None) -> Response:
    """The coalition's allow-list and the member's own."""
    found = svc.measures.allowlist(who, _member(who, member))
    return _json({"entries": [respond.allow_json(entry) for entry in found]})


@router.post("/measures/allowlist")
def add_allow(svc: ServicesDep, who: PrincipalDep, body: AllowIn) -> Response:
    """Never block a value: for the member, or (``coalition``) for everyone."""
    scope = None if body.coalition else _member(who, body.member)
    entry = svc.measures.allow(who, scope, body.kind.value, body.value, body.note)
    return _json(respond.allow_json(entry), 201)


@router.delete("/measures/allowlist/{entry_id}", status_code=204)
def delete_allow(svc: ServicesDep, who: PrincipalDep, entry_id: EntryId) -> Response:
    """Remove an allow-list entry."""
    svc.measures.disallow(who, entry_id)
    return Response(status_code=204)


@router.get("/measures/lists/{name}/report")
def list_report(
    svc: ServicesDep, who: PrincipalDep, name: SubName, member: Member = None
) -> Response:
    """The list's version now: counts, and what allow-lists stopped or was refused."""
    built = svc.measures.build(who, _member(who, member), name, MeasureFormat.PLAIN)
    return _json(respond.report_json(built))


@router.get("/measures/lists/{name}/manifest")
def list_manifest(
    svc: ServicesDep,
    who: PrincipalDep,
    name: SubName,
    member: Member = None,
    if_none_match: Annotated[str | None, Header(max_length=2000)] = None,
) -> Response:
    """The signed manifest of the list's version now (every subscribed format's SHA-256)."""
    built = svc.measures.build(who, _member(who, member), name)
    content = built.manifest_bytes
    return _conditional(content, "application/json", if_none_match)


@router.get("/measures/lists/{name}/{fmt}")
def pull_list(
    svc: ServicesDep,
    who: PrincipalDep,
    name: SubName,
    fmt: MeasureFormat,
    member: Member = None,
    if_none_match: Annotated[str | None, Header(max_length=2000)] = None,
) -> Response:
    """One format of the list's version now; 304 when ``If-None-Match`` holds its ETag."""
    built = svc.measures.build(who, _member(who, member), name, fmt)
    content = built.files[fmt]
    etag = built.etags.get(fmt.value)  # from the manifest: no second hash of the file
    response = _conditional(content, respond.MEDIA_TYPES[fmt], if_none_match, etag)
    response.headers["X-Shieldwall-List-Version"] = str(built.version.version)
    return response


def _conditional(
    content: bytes, media_type: str, if_none_match: str | None, etag: str | None = None
) -> Response:
    etag = etag or respond.etag_of(content)
    offered = {tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",")}
    if etag in offered or "*" in offered:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(content, 200, media_type=media_type, headers={"ETag": etag})
