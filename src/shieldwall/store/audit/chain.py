"""Hashing and verifying the audit chain.

Each entry's hash covers its content and the previous entry's hash (not its ``seq``, which is
checked separately for gaps), so the first broken link tells what happened:

- an entry whose own hash does not match its content was **changed**;
- a gap in ``seq`` means entries were **deleted**;
- an entry chained to a hash that sits *later* in the log was **reordered**;
- an entry chained to an *earlier* hash than its predecessor's means the entries in between
  were **inserted**;
- an entry chained to a hash no entry has: its predecessor was changed and re-hashed, or
  removed and the rest renumbered (reported as **changed**, naming the predecessor);
- the signed head ends later than the log: the tail was **truncated**; earlier: entries were
  **inserted** after it; signed checkpoints pin the chain every N entries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from shieldwall.model.audit import AuditEntry, ChainProblem, Checkpoint, Outcome
from shieldwall.store.audit.signing import Verifier

GENESIS = "0" * 64


def entry_hash(
    prev_hash: str,
    at: datetime,
    principal: str,
    org_id: str,
    action: str,
    object_type: str,
    object_id: str,
    outcome: Outcome | str,
    detail: str,
) -> str:
    """SHA-256 over the canonical JSON of an entry's content and its predecessor's hash."""
    body = [
        prev_hash,
        at.isoformat(timespec="microseconds"),
        principal,
        org_id,
        action,
        object_type,
        object_id,
        str(outcome),
        detail,
    ]
    canonical = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def recompute(entry: AuditEntry) -> str:
    """The hash an entry should carry given its stored content."""
    return entry_hash(
        entry.prev_hash,
        entry.at,
        entry.principal,
        entry.org_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.outcome,
        entry.detail,
    )


def _link_problem(entry: AuditEntry, previous: str, seq_of: dict[str, int]) -> ChainProblem:
    origin = seq_of.get(entry.prev_hash)
    if origin is not None and origin >= entry.seq:
        return ChainProblem(
            entry.seq, "reordered", f"entry {entry.seq} follows entry {origin} in the chain"
        )
    if origin is not None:
        first = origin + 1
        return ChainProblem(
            first, "inserted", f"entries {first}..{entry.seq - 1} are not part of the chain"
        )
    if previous == GENESIS:
        return ChainProblem(entry.seq, "changed", f"entry {entry.seq} does not start the chain")
    return ChainProblem(
        entry.seq - 1,
        "changed",
        f"entry {entry.seq - 1} was changed and re-hashed, or an entry after it was removed",
    )


def _verify_links(entries: Sequence[AuditEntry]) -> ChainProblem | None:
    seq_of = {entry.hash: entry.seq for entry in entries}
    previous, expected_seq = GENESIS, 1
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainProblem(
                expected_seq, "deleted", f"entries {expected_seq}..{entry.seq - 1} are missing"
            )
        if recompute(entry) != entry.hash:
            return ChainProblem(entry.seq, "changed", f"entry {entry.seq} does not match its hash")
        if entry.prev_hash != previous:
            return _link_problem(entry, previous, seq_of)
        previous, expected_seq = entry.hash, entry.seq + 1
    return None


def _verify_signed(
    entries: Sequence[AuditEntry], statements: Iterable[Checkpoint], verifier: Verifier
) -> ChainProblem | None:
    hash_at = {entry.seq: entry.hash for entry in entries}
    last = entries[-1].seq if entries else 0
    for statement in statements:
        if not verifier.valid(statement.seq, statement.hash, statement.signature):
            return ChainProblem(
                statement.seq, "signature", f"the signature at entry {statement.seq} is invalid"
            )
        if statement.seq > last:
            return ChainProblem(
                last + 1, "truncated", f"entries {last + 1}..{statement.seq} were removed"
            )
        if hash_at.get(statement.seq) != statement.hash:
            return ChainProblem(
                statement.seq, "changed", f"entry {statement.seq} differs from its signed hash"
            )
    return None


def verify_chain(
    entries: Sequence[AuditEntry],
    checkpoints: Sequence[Checkpoint],
    head: Checkpoint | None,
    verifier: Verifier,
) -> ChainProblem | None:
    """Return the first place the log does not verify, or None when it is intact."""
    problem = _verify_links(entries)
    if problem is not None:
        return problem
    statements = [*checkpoints, *([head] if head is not None else [])]
    problem = _verify_signed(entries, statements, verifier)
    if problem is not None:
        return problem
    if entries and head is None:
        return ChainProblem(1, "signature", "the signed head of the chain is missing")
    if head is not None and entries and entries[-1].seq > head.seq:
        first = head.seq + 1
        return ChainProblem(first, "inserted", f"entries {first}.. were added without signing")
    return None
