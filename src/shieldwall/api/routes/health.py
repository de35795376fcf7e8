"""Liveness and readiness: unauthenticated, and they say nothing about data."""

from __future__ import annotations

from fastapi import APIRouter

from shieldwall.api.deps import ServicesDep
from shieldwall.api.problems import problem
from shieldwall.store import migrate

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up and serving."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(svc: ServicesDep) -> dict[str, str] | object:
    """The database answers and is at the schema this code expects."""
    if not svc.store.ping():
        return problem(503, "Service Unavailable", "the database is not reachable")
    if migrate.current_revision(svc.store.engine) != migrate.head_revision():
        return problem(503, "Service Unavailable", "the database schema is not up to date")
    return {"status": "ready"}
