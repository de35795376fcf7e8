"""SLA timers: how long a case of each severity may stay open before it is overdue.

The clock starts when the case is opened and stops at containment: a case still ``new``,
``triaged`` or ``in_progress`` after ``due_at`` is overdue, and so is an open task after
its own due time. The minutes per severity are the setting ``case_sla_minutes``
(``SHIELDWALL_CASE_SLA_MINUTES="critical=60,high=240"``; see docs/cases.md); a severity
it does not name keeps its default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shieldwall.model.case import Case, CaseItem, TaskStatus
from shieldwall.respond.cases.flow import OPEN_STATUSES

DEFAULT_SLA_MINUTES: Mapping[str, int] = {
    "critical": 60,
    "high": 4 * 60,
    "medium": 24 * 60,
    "low": 3 * 24 * 60,
    "informational": 7 * 24 * 60,
}
"""Time to containment by severity, in minutes."""


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """Minutes to containment by severity (defaults for any severity not named)."""

    minutes: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_SLA_MINUTES))

    def due_at(self, severity: str, opened: datetime) -> datetime:
        """When a case of this severity opened then must be contained by."""
        minutes = self.minutes.get(severity, DEFAULT_SLA_MINUTES.get(severity, 24 * 60))
        return opened + timedelta(minutes=minutes)


def case_overdue(case: Case, now: datetime) -> bool:
    """An open case past its SLA."""
    return case.status in OPEN_STATUSES and now > case.due_at


def task_overdue(item: CaseItem, now: datetime) -> bool:
    """An open task past its due time."""
    return item.status is TaskStatus.OPEN and item.due_at is not None and now > item.due_at
