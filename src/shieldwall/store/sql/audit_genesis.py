"""Anchoring the audit chain when a database is created, and upgrading older logs (0005).

A new database gets entry 0, the genesis, with a random id of its own, signed as the head
when the key is at hand: from then on an empty log, or one without its genesis, is
tampering, not a quiet start.

A log from before schema revision 0005 starts at entry 1 and its head and checkpoints
were signed without domain-separation labels (a checkpoint's signature passed for a head).
Revision 0005 checks such a log under the old rules, with the service's key:

- if it verifies, every checkpoint and the head are re-signed under the labels, and an
  ``audit.resign`` entry (outcome success) says so in the chain;
- if it does not, the old signatures are kept and an ``audit.resign`` entry with outcome
  ``failed`` names the first problem: verification reports it for good, so the upgrade
  can never launder tampering done before it;
- without the key (a migration run by hand with no data directory), nothing is re-signed
  and verification reports the old signatures as invalid until an upgrade with the key.

Old signatures are never accepted by verification itself.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Connection, select, update

from shieldwall.model.audit import AuditEntry, AuditRecord, Checkpoint, MalformedRow, Outcome
from shieldwall.store.audit.chain import GENESIS, SYSTEM, chained, genesis_record, verify_links
from shieldwall.store.audit.signing import Signer, Statement, Verifier
from shieldwall.store.sql.audit import HEAD_ID, insert_entry, write_head
from shieldwall.store.sql.audit_rows import scan_checkpoints, scan_entries, scan_head
from shieldwall.store.sql.tables import audit_checkpoints, audit_head


def write_genesis(connection: Connection, signer: Signer | None, at: datetime) -> AuditEntry:
    """Write entry 0 of an empty log, and its signed head when ``signer`` is given."""
    entry = chained(genesis_record(str(uuid.uuid4())), 0, GENESIS, at)
    insert_entry(connection, entry)
    if signer is not None:
        write_head(connection, signer, entry, 0, update=False)
    return entry


def link_checkpoints(connection: Connection) -> None:
    """Fill ``prev_checkpoint`` of checkpoints and head stored before the column existed."""
    seqs = list(connection.execute(select(audit_checkpoints.c.seq).order_by("seq")).scalars())
    for previous, seq in zip([0, *seqs], seqs, strict=False):
        connection.execute(
            update(audit_checkpoints)
            .where(audit_checkpoints.c.seq == seq)
            .values(prev_checkpoint=previous)
        )
    head = connection.execute(select(audit_head.c.seq)).scalar()
    if head is not None:
        newest = max((seq for seq in seqs if seq <= head), default=0)
        connection.execute(update(audit_head).values(prev_checkpoint=newest))


def upgrade_log(connection: Connection, signer: Signer | None, at: datetime) -> None:
    """Revision 0005 on the log: a genesis for an empty one, re-signing for an older one."""
    entries = list(scan_entries(connection))
    if not entries:
        write_genesis(connection, signer, at)
        return
    if signer is None:
        return
    problem = _legacy_problem(entries, connection, signer.verifier)
    if problem is None:
        _resign(connection, signer)
        outcome = Outcome.SUCCESS
        detail = "the head and checkpoints were re-signed under labels (schema revision 0005)"
    else:
        outcome = Outcome.FAILED
        detail = f"the log did not verify when it was upgraded, so it was not re-signed: {problem}"
    record = AuditRecord(SYSTEM, "-", "audit.resign", "audit", "head", outcome, detail)
    _append_signed(connection, signer, entries, record, at)


def _legacy_problem(
    entries: list[AuditEntry | MalformedRow], connection: Connection, verifier: Verifier
) -> str | None:
    """The first problem of a pre-0005 log under the rules it was written under."""
    problem = verify_links(entries)
    if problem is not None:
        return f"entry {problem.seq} {problem.kind}: {problem.message}"
    head = scan_head(connection)
    statements = [*scan_checkpoints(connection), head]
    hash_at = {entry.seq: entry.hash for entry in entries if isinstance(entry, AuditEntry)}
    last = max(hash_at)
    for statement in statements:
        if statement is None:
            return "the signed head is missing"
        if isinstance(statement, MalformedRow):
            return statement.describe()
        if not _legacy_holds(statement, hash_at, verifier):
            return f"the statement at entry {statement.seq} does not verify"
    if isinstance(head, Checkpoint) and head.seq != last:
        return f"the signed head is at entry {head.seq}, the log ends at entry {last}"
    return None


def _legacy_holds(statement: Checkpoint, hash_at: dict[int, str], verifier: Verifier) -> bool:
    return verifier.legacy_valid(statement) and hash_at.get(statement.seq) == statement.hash


def _resign(connection: Connection, signer: Signer) -> None:
    for checkpoint in scan_checkpoints(connection):
        if not isinstance(checkpoint, Checkpoint):
            continue  # not reached: _legacy_problem refuses a malformed checkpoint
        signature = signer.sign(
            Statement.CHECKPOINT,
            checkpoint.seq,
            checkpoint.hash,
            checkpoint.prev_checkpoint,
            checkpoint.at,
        )
        connection.execute(
            update(audit_checkpoints)
            .where(audit_checkpoints.c.seq == checkpoint.seq)
            .values(signature=signature, key_id=signer.key_id)
        )


def _append_signed(
    connection: Connection,
    signer: Signer,
    entries: list[AuditEntry | MalformedRow],
    record: AuditRecord,
    at: datetime,
) -> None:
    """Append ``record`` after the highest-numbered entry and sign it as the head.

    When that entry is malformed the new one chains to nothing: the break stays visible.
    """
    last = max(entries, key=lambda entry: -1 if entry.seq is None else entry.seq)
    prev = last.hash if isinstance(last, AuditEntry) else GENESIS
    entry = chained(record, (last.seq or 0) + 1, prev, at)
    insert_entry(connection, entry)
    newest = connection.execute(
        select(audit_checkpoints.c.seq).order_by(audit_checkpoints.c.seq.desc()).limit(1)
    ).scalar()
    exists = connection.execute(select(audit_head.c.id).where(audit_head.c.id == HEAD_ID))
    write_head(connection, signer, entry, newest or 0, update=exists.first() is not None)
