"""One change of a case, written twice in its transaction: the case's timeline and the audit
log. Both commit with the change itself, or neither does."""

from __future__ import annotations

from typing import Any

from shieldwall.model.audit import AuditRecord
from shieldwall.model.identity import Principal
from shieldwall.store.protocols import UnitOfWork


def record(
    tx: UnitOfWork,
    who: Principal,
    case_id: int,
    action: str,
    detail: dict[str, Any],
    *,
    item_id: str | None = None,
    owners_only: bool = False,
) -> None:
    """Keep the change in the case's timeline and append its audit entry."""
    tx.cases.record(
        case_id,
        actor=who.person_id,
        org_id=who.org_id,
        action=action,
        item_id=item_id,
        owners_only=owners_only,
        detail=detail,
    )
    target = f"{case_id}/{item_id}" if item_id else str(case_id)
    tx.audit.append(AuditRecord(who.person_id, who.org_id, f"case.{action}", "case", target))
