"""The status flow of an incident, and what each change needs.

``new`` → ``triaged`` → ``in_progress`` → ``contained`` → ``closed``. A step may be
skipped forwards (a false positive is closed straight from ``new``), containment may
fail (``contained`` → ``in_progress``), and a closed incident may be reopened
(``closed`` → ``in_progress``). Closing needs a reason; nothing else does. An incident
closed because it was merged into another stays closed: its alerts live on there.
"""

from __future__ import annotations

from shieldwall.model.errors import ConflictError, InputError
from shieldwall.model.incident import Incident, IncidentStatus

S = IncidentStatus
ALLOWED: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    S.NEW: frozenset({S.TRIAGED, S.IN_PROGRESS, S.CONTAINED, S.CLOSED}),
    S.TRIAGED: frozenset({S.IN_PROGRESS, S.CONTAINED, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.CONTAINED, S.CLOSED}),
    S.CONTAINED: frozenset({S.IN_PROGRESS, S.CLOSED}),
    S.CLOSED: frozenset({S.IN_PROGRESS}),
}
"""From each status, the statuses an incident may move to."""

MAX_REASON = 1000
MAX_COMMENT = 10_000


def check_status_change(incident: Incident, to: IncidentStatus, reason: str) -> str | None:
    """The close reason to keep (None unless closing); ConflictError or InputError if not
    allowed."""
    if incident.merged_into is not None:
        raise ConflictError(f"incident {incident.id} was merged into {incident.merged_into}")
    if to not in ALLOWED[incident.status]:
        raise ConflictError(f"incident {incident.id} cannot go from {incident.status} to {to}")
    text = reason.strip()
    if len(text) > MAX_REASON:
        raise InputError(f"at most {MAX_REASON} characters", place="reason")
    if to is S.CLOSED:
        if not text:
            raise InputError("closing an incident needs a reason", place="reason")
        return text
    return None


def check_comment(text: str) -> str:
    """A comment as kept; InputError when empty or too long."""
    body = text.strip()
    if not body:
        raise InputError("a comment cannot be empty", place="text")
    if len(body) > MAX_COMMENT:
        raise InputError(f"at most {MAX_COMMENT} characters", place="text")
    return body
