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
- no entries at all, or none at ``seq`` 0 (the genesis entry a new database is created
  with): the log was **deleted** from its start;
- a row whose column holds no value of its type is **malformed** (named, never a crash);
- an entry the service wrote on finding tampering itself (a missing head, a log that did
  not verify when it was upgraded) is reported as **recorded**, however much is signed after.

The signed head and checkpoints are checked by :mod:`.statements`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

from shieldwall.model.audit import (
    AuditEntry,
    AuditRecord,
    ChainProblem,
    Checkpoint,
    MalformedRow,
    Outcome,
)
from shieldwall.store.audit.signing import Verifier
from shieldwall.store.audit.statements import verify_statements

GENESIS = "0" * 64
"""The ``prev_hash`` of the first entry: the hash before there was any."""
GENESIS_ACTION = "audit.genesis"
"""The action of entry 0, written when the database is created (schema revision 0005)."""
SYSTEM = "shieldwall"
"""The principal of entries the service writes about the log itself."""
MARKERS = frozenset({"audit.unsigned", "audit.resign"})
"""Actions of entries the service writes, outcome ``failed``, when it finds the log tampered
with; verification reports each for good, whatever is signed after it."""


def genesis_record(log_id: str) -> AuditRecord:
    """Entry 0 of a new log; ``log_id`` (random) tells this log from any other."""
    return AuditRecord(SYSTEM, "-", GENESIS_ACTION, "audit", log_id)


def unsigned_marker(detail: str) -> AuditRecord:
    """The entry that records a head found missing, before the chain goes on."""
    return AuditRecord(SYSTEM, "-", "audit.unsigned", "audit", "head", Outcome.FAILED, detail)


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


def chained(record: AuditRecord, seq: int, prev_hash: str, at: datetime) -> AuditEntry:
    """The entry ``record`` becomes at ``seq``, after the entry whose hash is ``prev_hash``."""
    return AuditEntry(
        seq=seq,
        at=at,
        principal=record.principal,
        org_id=record.org_id,
        action=record.action,
        object_type=record.object_type,
        object_id=record.object_id,
        outcome=record.outcome,
        detail=record.detail,
        prev_hash=prev_hash,
        hash=entry_hash(
            prev_hash,
            at,
            record.principal,
            record.org_id,
            record.action,
            record.object_type,
            record.object_id,
            record.outcome,
            record.detail,
        ),
    )


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


def _first_seq(first: AuditEntry) -> int:
    """Where the chain must start: 0 (the genesis), or 1 for a log begun before it existed.

    A log of an older version starts at entry 1 chained to :data:`GENESIS`; a log with a
    genesis entry has entry 1 chained to the genesis, so removing the genesis still shows.
    """
    return 1 if first.seq == 1 and first.prev_hash == GENESIS else 0


def verify_links(entries: Sequence[AuditEntry | MalformedRow]) -> ChainProblem | None:
    if not entries:
        return ChainProblem(
            0, "deleted", "the log is empty: its genesis entry and all after it were removed"
        )
    unnumbered = [e for e in entries if isinstance(e, MalformedRow) and e.seq is None]
    if unnumbered:  # sorted apart from the others: its place in the chain is unknown
        return ChainProblem(0, "malformed", unnumbered[0].describe())
    seq_of = {entry.hash: entry.seq for entry in entries if isinstance(entry, AuditEntry)}
    first = entries[0]
    expected_seq = _first_seq(first) if isinstance(first, AuditEntry) else 0
    previous = GENESIS
    for entry in entries:
        if isinstance(entry, MalformedRow):
            return ChainProblem(entry.seq or expected_seq, "malformed", entry.describe())
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


def verify_chain(
    entries: Sequence[AuditEntry | MalformedRow],
    checkpoints: Sequence[Checkpoint | MalformedRow],
    head: Checkpoint | MalformedRow | None,
    verifier: Verifier,
    against: Checkpoint | None = None,
) -> ChainProblem | None:
    """Return the first place the log does not verify, or None when it is intact.

    ``against`` is a signed head exported earlier and kept outside the database: the log
    must still hold that entry with that hash (a replayed older head is caught only so).
    """
    problem = verify_links(entries)
    if problem is not None:
        return problem
    chain = [entry for entry in entries if isinstance(entry, AuditEntry)]
    problem = _recorded(chain)
    if problem is not None:
        return problem
    return verify_statements(chain, checkpoints, head, verifier, against)


def _recorded(chain: Sequence[AuditEntry]) -> ChainProblem | None:
    """Entry 0 is the genesis, and no entry records tampering the service found itself."""
    if chain and chain[0].seq == 0 and chain[0].action != GENESIS_ACTION:
        return ChainProblem(
            0, "deleted", "entry 0 is not the genesis entry: the log was emptied and begun again"
        )
    for entry in chain:
        if (
            entry.principal == SYSTEM
            and entry.action in MARKERS
            and entry.outcome is Outcome.FAILED
        ):
            return ChainProblem(entry.seq, "recorded", f"entry {entry.seq}: {entry.detail}")
    return None
