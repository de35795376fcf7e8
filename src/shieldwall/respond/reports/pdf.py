"""The SITREP as a PDF, rendered by ReportLab (pure wheels, no system library).

Charts are ReportLab drawings (vector bar charts the engine lays out itself); every page
carries the TLP label in FIRST's colours at its top and bottom, so a printed page taken
out of the report still says how it may be shared. Data is escaped before it reaches
ReportLab's paragraph markup.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from shieldwall.respond.reports import wording
from shieldwall.respond.reports.content import Sitrep
from shieldwall.respond.reports.tlp_style import BACKGROUND, COLOURS, MEANINGS

STYLES = getSampleStyleSheet()
BAR = colors.HexColor("#1f5fa8")
WIDTH = A4[0] - 40 * mm


def render_pdf(report: Sitrep) -> bytes:
    """The whole report as PDF bytes."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        topMargin=25 * mm,
        bottomMargin=22 * mm,
        title=f"{wording.title(report)} — {report.marking.label}",
        author="Shieldwall",
        subject=wording.period_text(report.period),
    )
    stamp = _stamper(report)
    doc.build(list(_story(report)), onFirstPage=stamp, onLaterPages=stamp)
    return out.getvalue()


def _stamper(report: Sitrep) -> Any:
    label = report.marking.label

    def stamp(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        width, height = doc.pagesize
        for y in (height - 15 * mm, 10 * mm):
            canvas.setFillColor(colors.HexColor(BACKGROUND))
            canvas.rect(20 * mm, y, 48 * mm, 7 * mm, fill=1, stroke=0)
            canvas.setFillColor(colors.HexColor(COLOURS[report.marking]))
            canvas.setFont("Helvetica-Bold", 11)
            canvas.drawString(22 * mm, y + 2 * mm, label)
        canvas.setFillColor(colors.black)
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(width - 20 * mm, 12 * mm, f"page {doc.page}")
        canvas.restoreState()

    return stamp


def _p(text: str, style: str = "BodyText") -> Paragraph:
    return Paragraph(escape(text), STYLES[style])


def _story(report: Sitrep) -> Iterable[Any]:
    yield _p(wording.title(report), "Title")
    yield _p(f"{wording.period_text(report.period)}. {MEANINGS[report.marking]}")
    yield _p("Threat level", "Heading2")
    yield _p(wording.posture_text(report))
    yield from _incidents(report)
    yield _p("Campaigns", "Heading2")
    rows = [
        (c.id, c.link, ", ".join(c.members), c.other_members, "new" if c.new else "ongoing")
        for c in report.campaigns
    ]
    yield from _table(("id", "shared observable", "members", "others", "state"), rows)
    yield from _techniques(report)
    yield from _indicators(report)
    yield from _optional(report)


def _incidents(report: Sitrep) -> Iterable[Any]:
    section = report.incidents
    labels = wording.hour_labels(report.period)
    yield _p("Incidents", "Heading2")
    yield _p(wording.incident_summary(report))
    yield _columns("New incidents per hour", section.new_per_hour, labels)
    yield _columns("Alerts per hour", section.alerts_per_hour, labels)
    yield from _table(wording.INCIDENT_HEAD, wording.incident_rows(report))


def _techniques(report: Sitrep) -> Iterable[Any]:
    pairs = [(line.technique, line.alerts) for line in report.techniques]
    yield _p("Top ATT&CK techniques", "Heading2")
    if pairs:
        yield _ranked("Alerts per technique", pairs)
    yield from _table(("technique", "alerts"), pairs)


def _indicators(report: Sitrep) -> Iterable[Any]:
    section = report.indicators
    yield _p("Indicators shared and sighted", "Heading2")
    yield _p(wording.indicator_summary(report))
    shared = [(i.name, i.pattern, i.tlp.label) for i in section.shared]
    yield from _table(("name", "pattern", "TLP"), shared)
    sighted = [(i.name, i.pattern, i.sightings, i.tlp.label) for i in section.sighted]
    if sighted:
        pairs = [(i.name or i.stix_id[:20], i.sightings) for i in section.sighted[:10]]
        yield _ranked("Sightings per indicator", pairs)
    yield from _table(("name", "pattern", "sightings", "TLP"), sighted)


def _optional(report: Sitrep) -> Iterable[Any]:
    yield _p("Protective measures issued", "Heading2")
    if report.measures is None:
        yield _p(wording.NOT_AVAILABLE, "Italic")
    else:
        issued = [
            (m.issued_at.strftime("%H:%M"), m.kind, m.title, m.tlp.label) for m in report.measures
        ]
        yield from _table(("issued", "kind", "measure", "TLP"), issued)
    yield _p("Requests for assistance", "Heading2")
    if report.assistance is None:
        yield _p(wording.NOT_AVAILABLE, "Italic")
    else:
        asked = [
            (r.opened_at.strftime("%H:%M"), r.requester, r.status, r.title, r.tlp.label)
            for r in report.assistance
        ]
        yield from _table(("opened", "requester", "status", "request", "TLP"), asked)


def _table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> list[Any]:
    if not rows:
        return [_p("None in this period.")]
    kept, more = wording.shown(rows)
    data = [[_p(h) for h in head]] + [[_p(wording.cell(v)) for v in row] for row in kept]
    table = Table(data, colWidths=_widths(head, kept), repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [table, _p(f"and {more} more")] if more else [table]


def _widths(head: Sequence[str], rows: Sequence[Sequence[object]]) -> list[float]:
    """Each column's share of the page, by the longest text in it (at least 6 characters)."""
    longest = [
        max(6, len(h), *(len(wording.cell(row[i])) for row in rows)) for i, h in enumerate(head)
    ]
    capped = [min(60, n) for n in longest]
    return [WIDTH * n / sum(capped) for n in capped]


def _columns(title: str, values: Sequence[int], labels: Sequence[str]) -> Drawing:
    drawing = Drawing(WIDTH, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 25, 20, WIDTH - 40, 55 * mm - 45
    chart.data = [list(values)]
    chart.categoryAxis.categoryNames = [
        label if i % 3 == 0 else "" for i, label in enumerate(labels)
    ]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(1, max(values, default=0))
    chart.bars[0].fillColor = BAR
    drawing.add(chart)
    drawing.add(String(0, 55 * mm - 12, title, fontName="Helvetica-Bold", fontSize=10))
    return drawing


def _ranked(title: str, pairs: Sequence[tuple[str, int]]) -> Drawing:
    height = 30 + 16 * len(pairs)
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 110, 5, WIDTH - 130, height - 25
    chart.data = [[value for _, value in reversed(pairs)]]
    chart.categoryAxis.categoryNames = [name[:24] for name, _ in reversed(pairs)]
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BAR
    drawing.add(chart)
    drawing.add(String(0, height - 12, title, fontName="Helvetica-Bold", fontSize=10))
    return drawing
