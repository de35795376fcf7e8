"""Liveness and readiness: unauthenticated, and they say nothing about data."""

from __future__ import annotations

from fastapi import APIRouter

from shieldwall.api.deps import ServicesDep
from shieldwall.api.problems import problem

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up and serving."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(svc: ServicesDep) -> dict[str, str] | object:
    """The database answers and is at the schema this code expects."""
    reason = svc.readiness_problem()
    if reason is not None:
        return problem(503, "Service Unavailable", reason)
    return {"status": "ready"}
