"""What the pages read, always through the runtime's desks, so the gate filters every row.

Lists read the newest visible rows, newest first, in pages of the desk, up to a bound
(``SCAN_LIMIT``), and say when the bound was reached instead of hiding it. Charts and the
heat map read counts the database sums (per member and set of techniques, per period), so
their cost does not grow with the number of alerts shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

from shieldwall import share
from shieldwall.model.alert import Alert
from shieldwall.model.errors import InputError
from shieldwall.model.identity import Principal
from shieldwall.model.incident import Incident, IncidentStatus
from shieldwall.runtime import Services

SCAN_LIMIT = 1000
"""Incidents, or alerts with their events, a list reads at most (newest first)."""
TALLY_LIMIT = 100_000
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
    svc: Services,
    who: Principal,
    limit: int,
    keep: Callable[[Alert], bool] = lambda _a: True,
    technique: str | None = None,
) -> Scan[Alert]:
    """The newest ``limit`` alerts the caller may see that name ``technique`` (the database
    filters) and that ``keep`` keeps (among at most ``SCAN_LIMIT`` read)."""

    def read(before: int) -> Sequence[Alert]:
        return svc.alerts.latest(who, before=before, limit=ALERT_PAGE, technique=technique)

    return _scan(read, _seq, limit, keep, ALERT_PAGE)


def _seq(alert: Alert) -> int:
    return alert.seq


def day_of(moment: datetime) -> date:
    """The UTC day of a moment."""
    return moment.astimezone(UTC).date()


def alerts_per_member_day(
    svc: Services, who: Principal, days: int, today: date
) -> tuple[list[date], dict[str, list[int]]]:
    """Matches counted per member for each of the last ``days`` days (UTC), as the gate
    lets the caller see them (summed in the database, one query a day)."""
    axis = [today - timedelta(days=days - 1 - i) for i in range(days)]
    starts = [datetime.combine(day, time.min, UTC) for day in axis]
    periods = [(start, start + timedelta(days=1)) for start in starts]
    series: dict[str, list[int]] = {}
    for slot, counts in enumerate(svc.alerts.counts(who, periods)):
        for count in counts:
            series.setdefault(count.org_id, [0] * days)[slot] += count.hits
    return axis, dict(sorted(series.items()))


def techniques_seen(
    svc: Services, who: Principal, since: datetime, member: str = ""
) -> tuple[Counter[str], list[str], int]:
    """Matches per technique since ``since`` (of one member, or all the caller may see),
    the members seen, and how many alerts were counted."""
    until = datetime.now(UTC) + timedelta(days=1)
    (counts,) = svc.alerts.counts(who, [(since, until)])
    techniques: Counter[str] = Counter()
    kept = [count for count in counts if not member or count.org_id == member]
    for count in kept:
        for technique in count.techniques:
            techniques[technique.upper()] += count.hits
    members = sorted({count.org_id for count in counts})
    return techniques, members, sum(count.alerts for count in kept)


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
