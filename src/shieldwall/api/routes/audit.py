"""The audit log: read (centre, or a lead for its own organisation) and verify (centre)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shieldwall import access
from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.api.schemas import AuditEntryOut, VerifyOut

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit")
def read_audit(
    svc: ServicesDep,
    who: PrincipalDep,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEntryOut]:
    """Entries after sequence number ``after``, oldest first."""
    return [
        AuditEntryOut.of(entry) for entry in access.read_audit_entries(svc.store, who, after, limit)
    ]


@router.post("/audit/verify")
def verify_audit(svc: ServicesDep, who: PrincipalDep) -> VerifyOut:
    """Check the whole hash chain and its signatures."""
    count, problem = access.verify_audit_log(svc.store, svc.signer.verifier, who)
    if problem is None:
        return VerifyOut(entries=count, intact=True)
    return VerifyOut(
        entries=count,
        intact=False,
        first_problem_seq=problem.seq,
        kind=problem.kind,
        message=problem.message,
    )
