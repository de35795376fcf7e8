"""What a publishing batch gives back: each object's outcome, and what may be offered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shieldwall.model.audit import AuditRecord
from shieldwall.model.identity import Principal
from shieldwall.model.intel import StoredVersion
from shieldwall.policy.descriptor import ObjectDescriptor


@dataclass(frozen=True, slots=True)
class Entry:
    """One object's outcome: its id, version and, for refusals, the reason."""

    id: str
    version: str
    message: str = ""


@dataclass
class PublishResult:
    """What became of each object of a batch."""

    successes: list[Entry] = field(default_factory=list)
    failures: list[Entry] = field(default_factory=list)
    stored: list[StoredVersion] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.successes) + len(self.failures)


@dataclass(frozen=True, slots=True)
class Submission:
    """One object offered for storing, with the audience its source gave it, if any.

    ``descriptor`` (e.g. from a MISP distribution or sharing group) replaces the
    addressing of the batch for this object; the object's own markings still count (most
    restrictive wins). Its producer must be the submitting organisation.
    """

    obj: Any
    descriptor: ObjectDescriptor | None = None


def audit_record(principal: Principal, result: PublishResult, source: str) -> AuditRecord:
    """The one audit entry of a publishing batch."""
    return AuditRecord(
        principal=principal.person_id,
        org_id=principal.org_id,
        action="intel.publish",
        object_type="stix-batch",
        object_id=source or "-",
        detail=f"stored {len(result.stored)}, accepted {len(result.successes)}, "
        f"refused {len(result.failures)}",
    )
