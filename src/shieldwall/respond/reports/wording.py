"""Words both renderers use, so the HTML page and the PDF say exactly the same things."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from shieldwall.respond.reports.content import Period, Sitrep

NOT_AVAILABLE = "Not available: no source for this section is connected."
MAX_CELL = 200
"""Characters a table cell shows: a 5,000-character title must not break a page's layout."""
MAX_ROWS = 50
"""Rows a table shows; the rest are counted ("and N more"), and still count in the marking."""
T = TypeVar("T")


def title(report: Sitrep) -> str:
    """The report's title line."""
    return f"Daily situation report (SITREP) for {report.org_name}"


def period_text(period: Period) -> str:
    """The period, in UTC, as a person reads it."""
    start = period.start.strftime("%Y-%m-%d %H:%M")
    end = period.end.strftime("%Y-%m-%d %H:%M")
    return f"{start} to {end} UTC (24 hours)"


def posture_text(report: Sitrep) -> str:
    """The threat level and its change over the period, or that none is known."""
    reading = report.posture
    if reading is None:
        return NOT_AVAILABLE
    now = f"{reading.now.name} ({reading.now.value}/5)"
    if reading.before is None:
        change = "no earlier level known"
    elif reading.before.value == reading.now.value:
        change = "unchanged"
    else:
        way = "up" if reading.now.value > reading.before.value else "down"
        change = f"{way} from {reading.before.name} ({reading.before.value}/5)"
    reason = f" — {reading.reason}" if reading.reason else ""
    return f"Threat level {now}, {change}{reason}"


def incident_summary(report: Sitrep) -> str:
    """How many incidents were opened, closed and are still open."""
    section = report.incidents
    return (
        f"{len(section.new)} new, {len(section.closed)} closed, "
        f"{section.open_at_end} open at the end of the period; "
        f"{sum(section.alerts_per_hour)} alerts raised."
    )


def indicator_summary(report: Sitrep) -> str:
    """How many indicators were shared and sighted."""
    section = report.indicators
    return (
        f"Indicators shared with you: {len(section.shared)}. Sightings reported: "
        f"{section.sightings}, of {len(section.sighted)} indicator(s) you may see."
    )


INCIDENT_HEAD = ("id", "member", "severity", "in the period", "status", "title", "TLP")


def incident_rows(report: Sitrep) -> list[tuple[object, ...]]:
    """One row per incident opened or closed in the period, saying which (or both)."""
    section = report.incidents
    closed = {line.id for line in section.closed}
    opened = {line.id for line in section.new}
    lines = {line.id: line for line in (*section.new, *section.closed)}
    rows: list[tuple[object, ...]] = []
    for ident in sorted(lines):
        line = lines[ident]
        what = " and ".join(
            w for w, ids in (("opened", opened), ("closed", closed)) if ident in ids
        )
        rows.append(
            (line.id, line.org_id, line.severity, what, line.status, line.title, line.tlp.label)
        )
    return rows


def hour_labels(period: Period) -> list[str]:
    """Each hour of the period as HH (UTC)."""
    return [f"{(period.start.hour + index) % 24:02d}h" for index in range(24)]


def cell(value: object) -> str:
    """A table cell's text, cut to :data:`MAX_CELL` characters."""
    text = str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def shown(rows: Sequence[T]) -> tuple[Sequence[T], int]:
    """The rows a table shows and how many more there are."""
    return rows[:MAX_ROWS], max(0, len(rows) - MAX_ROWS)
