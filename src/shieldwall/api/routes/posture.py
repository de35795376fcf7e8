"""Posture over REST: threat levels and their history through the gate (docs/posture.md).

Thin, as every route: the posture desk asks the gate which scopes the caller may see. A
level the caller may not see is "not found" like a scope that does not exist; lists and
histories hold only the visible scopes.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Response

from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.live import posture_json
from shieldwall.model.posture import ScopeKind

router = APIRouter(prefix="/api/v1", tags=["posture"])
Key = Annotated[str, Path(min_length=1, max_length=64)]


def _json(body: Any) -> Response:
    return Response(orjson.dumps(body), 200, media_type="application/json")


@router.get("/posture")
def list_posture(svc: ServicesDep, who: PrincipalDep) -> Response:
    """The current levels the caller may see: its member's, its sectors', the coalition's
    (every one for the centre)."""
    return _json({"levels": [posture_json(entry) for entry in svc.posture.levels(who)]})


@router.get("/posture/history")
def posture_history(
    svc: ServicesDep,
    who: PrincipalDep,
    scope: ScopeKind | None = None,
    key: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Level changes of the scopes the caller may see, oldest first after id ``after``."""
    page = svc.posture.history(who, kind=scope, key=key, after=after, limit=limit)
    body: dict[str, Any] = {"changes": [posture_json(entry) for entry in page]}
    if len(page) == limit:
        body["next_after"] = page[-1].id
    return _json(body)


@router.get("/posture/{scope}/{key}")
def get_posture(svc: ServicesDep, who: PrincipalDep, scope: ScopeKind, key: Key) -> Response:
    """One scope's current level, or 404 whether absent or hidden."""
    return _json(posture_json(svc.posture.level(who, scope, key)))


@router.post("/posture/recompute")
def recompute_posture(svc: ServicesDep, who: PrincipalDep) -> Response:
    """Recompute every level now (the centre's analysts); the changes it recorded."""
    changes = svc.posture.recompute_for(who)
    return _json({"changes": [posture_json(entry) for entry in changes]})
