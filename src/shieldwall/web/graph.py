"""A campaign drawn as a graph in SVG: members, incidents, the shared observable, indicators
and techniques in columns, each edge a link the campaign holds. Each node is a link to its
page, so the graph can be walked with the keyboard (Tab) as well as read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

COLUMN_X = (90, 270, 450, 630)
WIDTH, ROW, TOP = 760, 46, 40
HEADINGS = ("Members", "Incidents", "Observable · indicators", "Techniques")


@dataclass(frozen=True, slots=True)
class Node:
    """One node: its column, label, kind (for the style) and where it links."""

    key: str
    column: int
    label: str
    kind: str
    href: str = ""


def _positions(nodes: Sequence[Node]) -> dict[str, tuple[float, float]]:
    placed: dict[str, tuple[float, float]] = {}
    rows = [0, 0, 0, 0]
    for node in nodes:
        placed[node.key] = (COLUMN_X[node.column], TOP + 30 + ROW * rows[node.column])
        rows[node.column] += 1
    return placed


def _node(node: Node, x: float, y: float) -> str:
    label = escape(node.label if len(node.label) <= 24 else node.label[:23] + "…")
    shape = (
        f'<rect class="node {node.kind}" x="{x - 80}" y="{y - 15}" width="160" height="30" rx="6"/>'
        f'<text class="node-label" x="{x}" y="{y + 5}" text-anchor="middle">{label}</text>'
    )
    if node.href:
        return f'<a href="{escape(node.href)}" aria-label="{escape(node.label)}">{shape}</a>'
    return f'<g aria-label="{escape(node.label)}">{shape}</g>'


def _edge(start: tuple[float, float], end: tuple[float, float]) -> str:
    """A straight line to the next column; an arc over the columns between otherwise."""
    (x1, y1), (x2, y2) = start, end
    if x2 - x1 <= COLUMN_X[1] - COLUMN_X[0]:
        return f'<line class="edge" x1="{x1 + 80}" y1="{y1}" x2="{x2 - 80}" y2="{y2}"/>'
    lift = min(y1, y2) - ROW / 2 - 4
    return (
        f'<path class="edge" fill="none" d="M{x1 + 80},{y1 - 8} '
        f'C{x1 + 140},{lift} {x2 - 140},{lift} {x2 - 80},{y2 - 8}"/>'
    )


def draw(title: str, nodes: Sequence[Node], edges: Sequence[tuple[str, str]]) -> Markup:
    """The graph as an SVG element."""
    placed = _positions(nodes)
    height = TOP + 30 + ROW * max([sum(1 for n in nodes if n.column == c) for c in range(4)] + [1])
    parts = [
        f'<svg class="graph" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="graph-t" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="graph-t">{escape(title)}</title>',
    ]
    for column, heading in enumerate(HEADINGS):
        parts.append(
            f'<text class="graph-heading" x="{COLUMN_X[column]}" y="20" '
            f'text-anchor="middle">{heading}</text>'
        )
    parts.extend(_edge(placed[a], placed[b]) for a, b in edges if a in placed and b in placed)
    parts.extend(_node(node, *placed[node.key]) for node in nodes)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value above is a number or escaped
