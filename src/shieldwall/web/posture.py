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
from html import escape

from markupsafe import Markup

from shieldwall.model.identity import Principal
from shieldwall.model.posture import LEVELS, PostureEntry, ScopeKind
from shieldwall.runtime import Services
from shieldwall.web.charts import DASHES, PALETTE

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
    chart = step_chart(f"Threat level, last {days} days", axis, series)
    return Posture(levels, axis, series, chart, capped)


W, H, LEFT, RIGHT, TOP, BOTTOM = 580, 150, 70, 170, 8, 22


def step_chart(title: str, axis: Sequence[date], series: dict[str, list[int]]) -> Markup:
    """A small chart: one step line per scope over the days, the five levels on the y axis
    by name; a scope's line starts at its first level (0 means none yet)."""
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    step = plot_w / max(len(axis), 1)

    def y(level: int) -> float:
        return TOP + plot_h - plot_h * (level - 0.5) / len(LEVELS)

    parts = [
        f'<svg class="chart posture-chart" role="img" viewBox="0 0 {W} {H}" '
        'aria-labelledby="posture-chart-t posture-chart-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="posture-chart-t">{escape(title)}</title>',
        f'<desc id="posture-chart-d">{len(series)} scope(s) over {len(axis)} days; the table '
        "below gives the levels.</desc>",
    ]
    for level, name in enumerate(LEVELS, start=1):
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(level):.1f}" '
            f'y2="{y(level):.1f}"/><text class="tick" x="{LEFT - 6}" y="{y(level) + 4:.1f}" '
            f'text-anchor="end">{name}</text>'
        )
    for i in (0, len(axis) - 1):
        parts.append(
            f'<text class="tick" x="{LEFT + step * (i + 0.5):.1f}" y="{H - 6}" '
            f'text-anchor="middle">{axis[i]:%d %b}</text>'
        )
    for n, (name, values) in enumerate(series.items()):
        colour, dash = PALETTE[n % len(PALETTE)], DASHES[n % len(DASHES)]
        points = [
            f"{LEFT + step * i:.1f},{y(v):.1f} {LEFT + step * (i + 1):.1f},{y(v):.1f}"
            for i, v in enumerate(values)
            if v
        ]
        if points:
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" '
                f'stroke-dasharray="{dash}" points="{" ".join(points)}"/>'
            )
        ly = TOP + 14 * n + 6
        parts.append(
            f'<line x1="{W - RIGHT + 8}" x2="{W - RIGHT + 28}" y1="{ly}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="3" stroke-dasharray="{dash}"/>'
            f'<text class="legend" x="{W - RIGHT + 32}" y="{ly + 4}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value above is a number or escaped
