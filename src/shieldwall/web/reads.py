"""What the pages read, always through the runtime's desks, so the gate filters every row.

The desks page by id, oldest first, at most 1,000 rows a call. The console's lists, charts
and heat map are built over the newest visible rows up to a bound (``SCAN_LIMIT``), read in
pages of the desk; a page says when the bound was reached instead of hiding it. (Counting
in the store — the posture work — will replace the scans for the charts.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

from shieldwall import share
from shieldwall.model.alert import Alert
from shieldwall.model.errors import InputError
from shieldwall.model.identity import Principal
from shieldwall.model.incident import Incident, IncidentStatus
from shieldwall.runtime import Services

SCAN_LIMIT = 5000
PAGE = 1000
Row = TypeVar("Row")


@dataclass(frozen=True, slots=True)
class Scan(Generic[Row]):
    """Rows read, and whether the bound stopped the reading."""

    rows: list[Row]
    capped: bool


def _scan(read: Callable[[int], Sequence[Row]], key: Callable[[Row], int], limit: int) -> Scan[Row]:
    rows: list[Row] = []
    after = 0
    while True:
        batch = read(after)
        rows.extend(batch)
        if len(batch) < PAGE:
            return Scan(rows[-limit:], len(rows) > limit)
        after = key(batch[-1])
        if len(rows) >= limit * 2:  # keep the newest: drop the oldest as we go
            rows = rows[-limit:]


def incidents(
    svc: Services,
    who: Principal,
    *,
    status: IncidentStatus | None = None,
    severity: str | None = None,
    member: str | None = None,
    limit: int = SCAN_LIMIT,
) -> Scan[Incident]:
    """The caller's visible incidents that the filters keep, the newest ``limit``."""

    def read(after: int) -> Sequence[Incident]:
        return svc.incidents.page(
            who, status=status, severity=severity, member=member, after=after, limit=PAGE
        )

    return _scan(read, lambda incident: incident.id, limit)


def alerts(svc: Services, who: Principal, limit: int = SCAN_LIMIT) -> Scan[Alert]:
    """The caller's visible alerts, the newest ``limit``."""
    return _scan(lambda after: svc.alerts.page(who, after=after, limit=PAGE), _seq, limit)


def _seq(alert: Alert) -> int:
    return alert.seq


def day_of(moment: datetime) -> date:
    """The UTC day of a moment."""
    return moment.astimezone(UTC).date()


def alerts_per_member_day(
    rows: Sequence[Alert], days: int, today: date
) -> tuple[list[date], dict[str, list[int]]]:
    """Counts of alerts (with their repeats) per member for each of the last ``days`` days."""
    axis = [today - timedelta(days=days - 1 - i) for i in range(days)]
    index = {day: i for i, day in enumerate(axis)}
    series: dict[str, list[int]] = {}
    for alert in rows:
        slot = index.get(day_of(alert.created_at))
        if slot is not None:
            series.setdefault(alert.org_id, [0] * days)[slot] += alert.count
    return axis, dict(sorted(series.items()))


def technique_counts(rows: Sequence[Alert]) -> Counter[str]:
    """How many visible alerts name each ATT&CK technique."""
    counts: Counter[str] = Counter()
    for alert in rows:
        for technique in alert.techniques:
            counts[technique.upper()] += alert.count
    return counts


def intel_desk(svc: Services) -> share.IntelDesk:
    """The intelligence desk the API uses, with the same signed page tokens."""
    return share.IntelDesk(svc.store, share.cursor_codec(svc.settings.data_dir))


def observable_value(link: str) -> str:
    """The value of a campaign's link (``ip:192.0.2.1`` → ``192.0.2.1``)."""
    _, _, value = link.partition(":")
    return value or link


def indicators_for(svc: Services, who: Principal, observable: str, limit: int = 20) -> list[Any]:
    """Intelligence objects the caller may receive that name an observable ([] if none)."""
    filters = share.SearchFilters(observables=(observable,))
    try:
        found = intel_desk(svc).search(who, filters, share.PageRequest(limit=limit))
    except InputError:
        return []
    objects: list[Any] = found["objects"]
    return objects
