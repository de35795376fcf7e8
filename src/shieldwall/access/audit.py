"""Reading and verifying the audit log, through the same access rules as everything else."""

from __future__ import annotations

from collections.abc import Sequence

from shieldwall.model.audit import AuditEntry, AuditRecord, ChainProblem, Checkpoint
from shieldwall.model.identity import Principal
from shieldwall.policy.roles import Action, authorise
from shieldwall.store.audit.chain import verify_chain
from shieldwall.store.audit.exported import decode_head, encode_head
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
    store: Store,
    verifier: Verifier,
    principal: Principal,
    against: tuple[str, str] | None = None,
) -> tuple[int, ChainProblem | None]:
    """Check the whole chain; returns (entries checked, first problem or None).

    ``against`` is (text, source) of a head exported earlier and kept elsewhere: the log
    must still hold it. A file that is not such a head is an InputError naming it.
    """
    authorise(principal, Action.AUDIT_VERIFY, None)
    kept = decode_head(*against, verifier) if against is not None else None
    with store.reading() as tx:
        entries = list(tx.audit.scan())
        problem = verify_chain(entries, tx.audit.checkpoints(), tx.audit.head(), verifier, kept)
    return len(entries), problem


def export_head(
    store: Store, verifier: Verifier, principal: Principal
) -> tuple[str | None, ChainProblem | None]:
    """The signed head as ``HEAD.json`` text, once the whole log verifies up to it.

    Returns (text, None), or (None, the problem) for a log that does not verify: a head
    kept as the reference must never anchor tampering.
    """
    authorise(principal, Action.AUDIT_VERIFY, None)
    with store.reading() as tx:
        entries = list(tx.audit.scan())
        head = tx.audit.head()
        problem = verify_chain(entries, tx.audit.checkpoints(), head, verifier)
    if problem is not None or not isinstance(head, Checkpoint):
        return None, problem
    return encode_head(head), None
