"""The status flow of a case, and what each change needs.

``new`` → ``triaged`` → ``in_progress`` → ``contained`` → ``closed``, one step at a time;
a case may be closed from any open status (a false positive needs no containment), with a
reason; containment may fail (``contained`` → ``in_progress``) and a closed case may be
reopened (``closed`` → ``in_progress``). Anything else is refused with a
:class:`ConflictError` (409) naming both statuses; a missing reason with an
:class:`InputError` (422). Tasks go ``open`` → ``done`` or ``cancelled``, and may be
reopened.
"""

from __future__ import annotations

from shieldwall.model.case import CaseStatus, TaskStatus
from shieldwall.model.errors import ConflictError, InputError

S = CaseStatus
ALLOWED: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.NEW: frozenset({S.TRIAGED, S.CLOSED}),
    S.TRIAGED: frozenset({S.IN_PROGRESS, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.CONTAINED, S.CLOSED}),
    S.CONTAINED: frozenset({S.IN_PROGRESS, S.CLOSED}),
    S.CLOSED: frozenset({S.IN_PROGRESS}),
}
"""From each status, the statuses a case may move to."""

OPEN_STATUSES = frozenset({S.NEW, S.TRIAGED, S.IN_PROGRESS})
"""Statuses in which the SLA clock runs (until containment)."""

TASK_ALLOWED: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.OPEN: frozenset({TaskStatus.DONE, TaskStatus.CANCELLED}),
    TaskStatus.DONE: frozenset({TaskStatus.OPEN}),
    TaskStatus.CANCELLED: frozenset({TaskStatus.OPEN}),
}
MAX_REASON = 1000


def check_status_change(current: CaseStatus, to: CaseStatus, reason: str) -> str | None:
    """The close reason to keep (None unless closing); ConflictError or InputError if refused."""
    if to not in ALLOWED[current]:
        raise ConflictError(f"a case cannot go from {current} to {to}")
    kept = reason.strip()
    if len(kept) > MAX_REASON:
        raise InputError(f"at most {MAX_REASON} characters", place="reason")
    if to is not S.CLOSED:
        return None
    if not kept:
        raise InputError("closing a case needs a reason", place="reason")
    return kept


def check_task_change(current: TaskStatus, to: TaskStatus) -> None:
    """ConflictError unless the task may move from ``current`` to ``to``."""
    if to not in TASK_ALLOWED[current]:
        raise ConflictError(f"a task cannot go from {current} to {to}")
