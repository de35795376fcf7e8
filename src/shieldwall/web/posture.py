"""The threat levels on the overview: the coalition's, each member's and each sector's, as
the posture desk lets the viewer see them, and their last days drawn as a step chart.

Both come from ``Services.posture`` (the gate's ``policy.posture``): a member sees its own
level, its sectors' levels where the group is large enough, and the coalition's; the
centre sees every one. A score the viewer may not see is absent here as in the API.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from markupsafe import Markup

from shieldwall.model.identity import Principal
from shieldwall.model.posture import LEVELS, PostureEntry, ScopeKind
from shieldwall.runtime import Services
from shieldwall.web.charts import line_chart

HISTORY_LIMIT = 5000
"""Level changes read at most for the chart (changes are rare: a level moves, it is kept)."""
_PAGE = 1000
_ORDER = {ScopeKind.COALITION: 0, ScopeKind.SECTOR: 1, ScopeKind.MEMBER: 2}


@dataclass(frozen=True, slots=True)
class Posture:
    """What the overview shows of posture."""

    levels: list[PostureEntry]
    axis: list[date]
    series: dict[str, list[int]]
    chart: Markup
    capped: bool


def scope_name(entry: PostureEntry) -> str:
    """How a scope is named on the page (``coalition``, ``member alpha``, ``sector energy``)."""
    if entry.kind is ScopeKind.COALITION:
        return "coalition"
    return f"{entry.kind.value} {entry.key}"


def _history(svc: Services, who: Principal) -> tuple[list[PostureEntry], bool]:
    """Every change the viewer may see, oldest first, up to ``HISTORY_LIMIT``."""
    found: list[PostureEntry] = []
    after = 0
    while len(found) < HISTORY_LIMIT:
        batch = svc.posture.history(who, after=after, limit=_PAGE)
        found.extend(batch)
        if len(batch) < _PAGE:
            return found, False
        after = batch[-1].id
    return found, True


def levels_by_day(changes: Sequence[PostureEntry], axis: Sequence[date]) -> dict[str, list[int]]:
    """Each scope's level at the end of each day of ``axis`` (0 before its first level)."""
    ends = [datetime.combine(day, time.max, UTC) for day in axis]
    series: dict[str, list[int]] = {}
    for change in changes:  # oldest first: a later change overrides from its day on
        values = series.setdefault(scope_name(change), [0] * len(axis))
        for slot, end in enumerate(ends):
            if change.at <= end:
                values[slot] = change.level
    return series


def read_posture(svc: Services, who: Principal, days: int, today: date) -> Posture:
    """The current levels (coalition, sectors, members) and the last ``days`` days."""
    levels = sorted(svc.posture.levels(who), key=lambda e: (_ORDER[e.kind], e.key))
    changes, capped = _history(svc, who)
    axis = [today - timedelta(days=days - 1 - i) for i in range(days)]
    ranked = {scope_name(entry): n for n, entry in enumerate(levels)}
    series = dict(
        sorted(levels_by_day(changes, axis).items(), key=lambda kv: ranked.get(kv[0], 99))
    )
    title = f"Threat level, last {days} days (1 {LEVELS[0]} … 5 {LEVELS[-1]})"
    chart = line_chart(title, axis, series, ident="posture-chart", top=8)
    return Posture(levels, axis, series, chart, capped)
