"""Verifying the signed statements about the audit chain: the head and the checkpoints.

The hash chain (:mod:`.chain`) shows an entry was changed, removed or moved; only the
signed statements show where the chain must *end*, since anyone can re-hash a shortened
chain but only the service can sign. So, over a chain whose links already verify:

- the head must exist, carry a valid *head* signature and name the last entry and its hash;
- every checkpoint must carry a valid *checkpoint* signature and match the entry it names;
- the checkpoints must be exactly the signed list that runs from the head back through
  each checkpoint's ``prev_checkpoint`` to 0: a deleted checkpoint breaks the list;
- a head exported earlier (``against``) must still be in the chain, entry and hash: this is
  what catches an older head put back after the tail was cut, which is otherwise a
  consistent, correctly signed, shorter log.
"""

from __future__ import annotations

from collections.abc import Sequence

from shieldwall.model.audit import AuditEntry, ChainProblem, Checkpoint, MalformedRow
from shieldwall.store.audit.signing import Statement, Verifier


def _malformed(row: MalformedRow) -> ChainProblem:
    return ChainProblem(row.seq or 0, "malformed", row.describe())


def _signatures(
    checkpoints: Sequence[Checkpoint], head: Checkpoint, verifier: Verifier
) -> ChainProblem | None:
    if not verifier.valid(Statement.HEAD, head):
        return ChainProblem(
            head.seq, "signature", f"the head signature at entry {head.seq} is invalid"
        )
    for checkpoint in checkpoints:
        if not verifier.valid(Statement.CHECKPOINT, checkpoint):
            return ChainProblem(
                checkpoint.seq,
                "signature",
                f"the checkpoint signature at entry {checkpoint.seq} is invalid",
            )
    return None


def _ends(
    hash_at: dict[int, str], last: int, statements: Sequence[Checkpoint]
) -> ChainProblem | None:
    """Each statement names an entry the chain still holds, with the hash it holds."""
    for statement in statements:
        if statement.seq > last:
            return ChainProblem(
                last + 1, "truncated", f"entries {last + 1}..{statement.seq} were removed"
            )
        if hash_at.get(statement.seq) != statement.hash:
            return ChainProblem(
                statement.seq, "changed", f"entry {statement.seq} differs from its signed hash"
            )
    return None


def _signed_list(checkpoints: Sequence[Checkpoint], head: Checkpoint) -> ChainProblem | None:
    """The checkpoints are exactly those the head's signed list leads through."""
    by_seq = {checkpoint.seq: checkpoint for checkpoint in checkpoints}
    cursor, after = head.prev_checkpoint, head.seq + 1
    while cursor:
        checkpoint = by_seq.pop(cursor, None)
        if checkpoint is None or cursor >= after:
            return ChainProblem(cursor, "missing", f"the checkpoint at entry {cursor} was deleted")
        cursor, after = checkpoint.prev_checkpoint, cursor
    if by_seq:
        stray = min(by_seq)
        return ChainProblem(
            stray, "inserted", f"the checkpoint at entry {stray} is not in the signed list"
        )
    return None


def _against(hash_at: dict[int, str], last: int, kept: Checkpoint) -> ChainProblem | None:
    if kept.seq > last:
        return ChainProblem(
            last + 1,
            "truncated",
            f"entries {last + 1}..{kept.seq} were removed: the head kept elsewhere is at "
            f"entry {kept.seq}",
        )
    if hash_at.get(kept.seq) != kept.hash:
        return ChainProblem(
            kept.seq,
            "changed",
            f"entry {kept.seq} differs from the head kept elsewhere: the chain was rewritten",
        )
    return None


def verify_statements(
    chain: Sequence[AuditEntry],
    checkpoints: Sequence[Checkpoint | MalformedRow],
    head: Checkpoint | MalformedRow | None,
    verifier: Verifier,
    against: Checkpoint | None = None,
) -> ChainProblem | None:
    """The first problem of the signed statements over a linked ``chain``, or None."""
    signed: list[Checkpoint] = []
    for checkpoint in checkpoints:
        if isinstance(checkpoint, MalformedRow):
            return _malformed(checkpoint)
        signed.append(checkpoint)
    if isinstance(head, MalformedRow):
        return _malformed(head)
    last = chain[-1].seq if chain else 0
    if head is None:
        return ChainProblem(last, "missing", "the signed head of the chain was deleted")
    hash_at = {entry.seq: entry.hash for entry in chain}
    problem = _signatures(signed, head, verifier) or _ends(hash_at, last, [head, *signed])
    if problem is None and head.seq < last:
        first = head.seq + 1
        problem = ChainProblem(first, "inserted", f"entries {first}.. were added without signing")
    problem = problem or _signed_list(signed, head)
    if problem is None and against is not None:
        problem = _against(hash_at, last, against)
    return problem
