"""Charts drawn on the server as SVG: no script, no library, readable without colour.

Each chart has a title and a description for screen readers, and the page shows the same
numbers as a table beside it; lines are also told apart by their dash pattern.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape

from markupsafe import Markup

PALETTE = ("#0b5cad", "#b3261e", "#1b7f3b", "#7a3fb0", "#a45a00", "#00707a", "#5c5c5c")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 720, 260, 44, 34, 14, 150


def _scale(top: int) -> int:
    """A round upper bound for the y axis."""
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000):
        if top <= step * 4:
            return step * 4
    return top


def line_chart(title: str, axis: Sequence[date], series: Mapping[str, Sequence[int]]) -> Markup:
    """One line per series over the days of ``axis``, with a legend on the right."""
    top = _scale(max((max(values) for values in series.values()), default=0) or 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(axis) - 1, 1)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'aria-labelledby="chart-t chart-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-t">{escape(title)}</title>',
        f'<desc id="chart-d">{len(series)} series over {len(axis)} days; the table below '
        "gives the numbers.</desc>",
    ]
    for i in range(5):
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{top * i // 4}</text>"
        )
    for i, day in enumerate(axis):
        if (len(axis) - 1 - i) % max(len(axis) // 7, 1) == 0:  # counted back from today
            x = LEFT + step * i
            parts.append(
                f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 12}" '
                f'text-anchor="middle">{day:%d %b}</text>'
            )
    for n, (name, values) in enumerate(series.items()):
        colour, dash = PALETTE[n % len(PALETTE)], DASHES[n % len(DASHES)]
        points = " ".join(
            f"{LEFT + step * i:.1f},{TOP + plot_h - plot_h * v / top:.1f}"
            for i, v in enumerate(values)
        )
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" '
            f'stroke-dasharray="{dash}" points="{points}"/>'
        )
        ly = TOP + 16 * n + 6
        parts.append(
            f'<line x1="{WIDTH - RIGHT + 12}" x2="{WIDTH - RIGHT + 36}" y1="{ly}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="3" stroke-dasharray="{dash}"/>'
            f'<text class="legend" x="{WIDTH - RIGHT + 42}" y="{ly + 4}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value above is a number or escaped
