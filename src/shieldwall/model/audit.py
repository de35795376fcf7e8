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
    """A signed statement that the chain up to ``seq`` ends in ``hash``."""

    seq: int
    hash: str
    signature: str
    key_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """The first place where the audit chain does not verify, and how."""

    seq: int
    kind: str
    """``changed``, ``deleted``, ``inserted``, ``reordered``, ``truncated`` or ``signature``."""
    message: str
