"""Charts as SVG text, drawn on the server: the HTML report needs no script and no network.

Two shapes cover the SITREP: columns over the period's 24 hours, and ranked bars (top
techniques). Labels are escaped; sizes are fixed so the page lays out before it paints.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR = "#1f5fa8"
AXIS = "#555555"


def columns(title: str, values: Sequence[int], labels: Sequence[str]) -> str:
    """Vertical bars, one per value, labelled every few columns; empty data says so."""
    width, height, left, bottom = 640, 200, 36, 28
    plot_w, plot_h = width - left - 8, height - bottom - 24
    top = max(values, default=0)
    step = plot_w / max(1, len(values))
    parts = [_open(title, width, height), _axis(left, height - bottom, width - 8)]
    parts.append(f'<text x="4" y="{24 + 10}" font-size="10">{top}</text>')
    for index, value in enumerate(values):
        bar_h = 0 if top == 0 else plot_h * value / top
        x = left + index * step + 1
        y = height - bottom - bar_h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(1.0, step - 2):.1f}" '
            f'height="{bar_h:.1f}" fill="{BAR}"><title>{escape(labels[index])}: '
            f"{value}</title></rect>"
        )
        if index % 3 == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 14}" font-size="9">'
                f"{escape(labels[index])}</text>"
            )
    if top == 0:
        parts.append(f'<text x="{left + 10}" y="{height // 2}" font-size="12">none</text>')
    return "".join([*parts, "</svg>"])


def ranked(title: str, pairs: Sequence[tuple[str, int]]) -> str:
    """Horizontal bars, longest first, each named on its left."""
    row, left, width = 22, 120, 640
    height = 30 + row * max(1, len(pairs))
    top = max((value for _, value in pairs), default=0)
    parts = [_open(title, width, height)]
    for index, (name, value) in enumerate(pairs):
        y = 24 + index * row
        bar_w = 0 if top == 0 else (width - left - 60) * value / top
        parts.append(f'<text x="4" y="{y + 14}" font-size="11">{escape(name)}</text>')
        parts.append(
            f'<rect x="{left}" y="{y + 2}" width="{bar_w:.1f}" height="{row - 6}" fill="{BAR}"/>'
        )
        parts.append(f'<text x="{left + bar_w + 4:.1f}" y="{y + 14}" font-size="11">{value}</text>')
    if not pairs:
        parts.append('<text x="4" y="40" font-size="12">none</text>')
    return "".join([*parts, "</svg>"])


def _open(title: str, width: int, height: int) -> str:
    label = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{label}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<title>{label}</title><text x="4" y="14" font-size="12" font-weight="bold">'
        f"{label}</text>"
    )


def _axis(left: int, base: int, right: int) -> str:
    return (
        f'<line x1="{left}" y1="24" x2="{left}" y2="{base}" stroke="{AXIS}"/>'
        f'<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="{AXIS}"/>'
    )
