"""What the pages read, always through the runtime's desks, so the gate filters every row.

Lists read the newest visible rows, newest first, in pages of the desk, up to a bound
(``SCAN_LIMIT``); charts and the heat map count "tallies" (member, time, count, techniques:
no event to decode) up to ``TALLY_LIMIT``. A page says when a bound was reached instead of
hiding it. (Counting in the store — the posture work — can replace the tallies.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

from shieldwall import share
from shieldwall.model.alert import Alert, AlertTally
from shieldwall.model.errors import InputError
from shieldwall.model.identity import Principal
from shieldwall.model.incident import Incident, IncidentStatus
from shieldwall.runtime import Services

SCAN_LIMIT = 1000
"""Incidents, or alerts with their events, a list reads at most (newest first)."""
TALLY_LIMIT = 100_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""Alerts a chart or the heat map counts at most (a few columns each, newest first)."""
PAGE = 500
ALERT_PAGE = 200
"""Alerts carry their events: read fewer at a time, as a list rarely needs more."""
Row = TypeVar("Row")


@dataclass(frozen=True, slots=True)
class Scan(Generic[Row]):
    """Rows read, newest first, and whether the bound stopped the reading."""

    rows: list[Row]
    capped: bool


def _scan(
    read: Callable[[int], Sequence[Row]],
    key: Callable[[Row], int],
    limit: int,
    keep: Callable[[Row], bool] = lambda _row: True,
    page: int = PAGE,
) -> Scan[Row]:
    """Newest first, page by page, until ``limit`` rows are kept or none are left."""
    rows: list[Row] = []
    before, read_count = 0, 0
    while True:
        batch = read(before)
        read_count += len(batch)
        rows.extend(row for row in batch if keep(row))
        if len(rows) >= limit:
            return Scan(rows[:limit], True)
        if len(batch) < page or read_count >= SCAN_LIMIT:
            return Scan(rows, len(batch) == page)
        before = key(batch[-1])


def incidents(
    svc: Services,
    who: Principal,
    *,
    status: IncidentStatus | None = None,
    severity: str | None = None,
    member: str | None = None,
    limit: int = SCAN_LIMIT,
) -> Scan[Incident]:
    """The newest ``limit`` incidents the caller may see that the filters keep."""

    size = min(PAGE, limit)

    def read(before: int) -> Sequence[Incident]:
        return svc.incidents.latest(
            who, status=status, severity=severity, member=member, before=before, limit=size
        )

    return _scan(read, lambda incident: incident.id, limit, page=size)


def alerts(
    svc: Services, who: Principal, limit: int, keep: Callable[[Alert], bool] = lambda _a: True
) -> Scan[Alert]:
    """The newest ``limit`` alerts the caller may see that ``keep`` keeps (among at most
    ``SCAN_LIMIT`` read)."""

    def read(before: int) -> Sequence[Alert]:
        return svc.alerts.latest(who, before=before, limit=ALERT_PAGE)

    return _scan(read, _seq, limit, keep, ALERT_PAGE)


def tallies(
    svc: Services, who: Principal, since: datetime, limit: int = TALLY_LIMIT
) -> Scan[AlertTally]:
    """What charts count of the caller's visible alerts since ``since``, newest first."""
    found = list(svc.alerts.tallies(who, since=since, limit=limit))
    return Scan(found, len(found) == limit)


def _seq(alert: Alert) -> int:
    return alert.seq


def day_of(moment: datetime) -> date:
    """The UTC day of a moment."""
    return moment.astimezone(UTC).date()


def alerts_per_member_day(
    rows: Sequence[AlertTally], days: int, today: date
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


def technique_counts(rows: Sequence[Alert] | Sequence[AlertTally]) -> Counter[str]:
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
