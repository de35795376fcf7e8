"""The answer of the gate: allowed or not, and a stable reason code for audit and tests.

Decisions are shared constants (one per reason), so answering costs no allocation on the
hot path. Truth-testing a decision raises (ask ``.allowed``), so a refusal can never pass
for "yes" in an ``if`` or for "present" in an ``or``. Reasons are codes, not prose: they go
into the audit log and never to a caller who was refused (a refusal looks like "not found").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    """Why a decision came out the way it did."""

    PRODUCER = "producer"
    CLEAR = "clear"
    GREEN_MEMBER = "green-member"
    AMBER_RECIPIENT = "amber-recipient"
    AMBER_CLIENT = "amber-client"
    STRICT_RECIPIENT = "amber-strict-recipient"
    RED_NAMED = "red-named"
    WITHIN_CHANNEL = "within-channel-maximum"

    ANONYMOUS = "anonymous"
    UNKNOWN_PRINCIPAL = "unknown-principal"
    INACTIVE_PERSON = "inactive-person"
    ROLE_READS_NOTHING = "role-reads-nothing"
    SUSPENDED = "suspended"
    NOT_RECIPIENT = "not-recipient"
    NOT_NAMED = "not-named"
    NOT_IN_COMMUNITY = "not-in-community"
    NOT_RELEASABLE = "not-releasable"
    CONTENT_HIDDEN = "content-hidden"
    UNMARKED_EGRESS = "unmarked-egress"
    ABOVE_CHANNEL = "above-channel-maximum"


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether the principal may receive the object, and why."""

    allowed: bool
    reason: Reason

    def __bool__(self) -> bool:
        """Refuse to be truth-tested: ``if decide(...)`` must be ``if decide(...).allowed``."""
        raise TypeError("a Decision has no truth value; ask .allowed")


_ALLOWING = frozenset(
    {
        Reason.PRODUCER,
        Reason.CLEAR,
        Reason.GREEN_MEMBER,
        Reason.AMBER_RECIPIENT,
        Reason.AMBER_CLIENT,
        Reason.STRICT_RECIPIENT,
        Reason.RED_NAMED,
        Reason.WITHIN_CHANNEL,
    }
)

DECISIONS: dict[Reason, Decision] = {r: Decision(r in _ALLOWING, r) for r in Reason}
"""One shared decision per reason."""
