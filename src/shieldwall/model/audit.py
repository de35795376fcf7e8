"""The audit log's entries and checkpoints, as plain values.

Each entry carries the hash of the previous one, so changing, deleting, inserting or
reordering entries breaks the chain at a place :func:`shieldwall.store.audit_chain` can name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Outcome(StrEnum):
    """What became of the audited action."""

    SUCCESS = "success"
    DENIED = "denied"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What a caller asks to be recorded (the store adds sequence, time and hashes)."""

    principal: str
    org_id: str
    action: str
    object_type: str
    object_id: str
    outcome: Outcome = Outcome.SUCCESS
    detail: str = ""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One stored entry of the hash chain."""

    seq: int
    at: datetime
    principal: str
    org_id: str
    action: str
    object_type: str
    object_id: str
    outcome: Outcome
    detail: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement that the chain up to ``seq`` ends in ``hash``.

    ``prev_checkpoint`` is the ``seq`` of the checkpoint before this one (0 when none), and
    for the head the newest checkpoint at or before it: the signed statements form a list
    from the head back to the first checkpoint, so a deleted checkpoint breaks the list.
    """

    seq: int
    hash: str
    signature: str
    key_id: str
    at: datetime
    prev_checkpoint: int


@dataclass(frozen=True, slots=True)
class MalformedRow:
    """A stored audit row whose column does not hold a value of its type.

    Verification reports it (naming the table, the row and the column) instead of failing
    on it, so a tampered database still gets a verdict.
    """

    row: str
    """The row as an operator finds it: ``entry 12``, ``checkpoint 8``, ``head``."""
    seq: int | None
    """The row's sequence number, None when that column itself is unreadable."""
    column: str
    reason: str

    def describe(self) -> str:
        """A line that names the row and the column, for the operator."""
        return f"{self.row}: column {self.column} {self.reason}"


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """The first place where the audit chain does not verify, and how."""

    seq: int
    kind: str
    """``changed``, ``deleted``, ``inserted``, ``reordered``, ``truncated``, ``signature``,
    ``missing`` (a signed head or checkpoint is gone), ``malformed`` (a row is unreadable) or
    ``recorded`` (the service found tampering earlier and wrote it into the chain)."""
    message: str
