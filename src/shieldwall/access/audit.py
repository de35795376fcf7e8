"""Reading and verifying the audit log, through the same access rules as everything else."""

from __future__ import annotations

from collections.abc import Sequence

from shieldwall.model.audit import AuditEntry, AuditRecord, ChainProblem
from shieldwall.model.identity import Principal
from shieldwall.policy.roles import Action, authorise
from shieldwall.store.audit.chain import verify_chain
from shieldwall.store.audit.signing import Verifier
from shieldwall.store.protocols import Store


def read_entries(
    store: Store, principal: Principal, after_seq: int = 0, limit: int = 100
) -> Sequence[AuditEntry]:
    """Entries after ``after_seq``: all for the centre, the own organisation's for a lead."""
    authorise(principal, Action.AUDIT_READ, principal.org_id)
    scope = None if principal.is_centre_admin else principal.org_id
    with store.transaction() as tx:
        found = list(tx.audit.entries(after_seq, limit, org_id=scope))
        tx.audit.append(
            AuditRecord(
                principal=principal.person_id,
                org_id=principal.org_id,
                action="audit.read",
                object_type="audit",
                object_id=f"after:{after_seq}",
            )
        )
    return found


def verify(
    store: Store, verifier: Verifier, principal: Principal
) -> tuple[int, ChainProblem | None]:
    """Check the whole chain; returns (entries checked, first problem or None)."""
    authorise(principal, Action.AUDIT_VERIFY, None)
    with store.transaction() as tx:
        entries = list(tx.audit.entries())
        problem = verify_chain(entries, tx.audit.checkpoints(), tx.audit.head(), verifier)
    return len(entries), problem
