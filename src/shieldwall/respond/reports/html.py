"""The SITREP as one self-contained HTML page: inline style, server-drawn SVG, no script.

The TLP label heads and closes the page in FIRST's colours, and everything written from
data is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from shieldwall.respond.reports import svg, wording
from shieldwall.respond.reports.content import Sitrep
from shieldwall.respond.reports.tlp_style import BACKGROUND, COLOURS, MEANINGS

STYLE = """
body{font-family:Helvetica,Arial,sans-serif;margin:2em;color:#111;max-width:60em}
.tlp{display:inline-block;background:#000;font-weight:bold;padding:.2em .6em;font-size:1.1em}
table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left;font-size:.9em}
.na{color:#555;font-style:italic}
"""


def render_html(report: Sitrep) -> str:
    """The whole page."""
    label = escape(report.marking.label)
    body = [
        _marking(report),
        f"<h1>{escape(wording.title(report))}</h1>",
        f"<p>{escape(wording.period_text(report.period))}. Generated "
        f"{escape(report.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}.</p>",
        *_sections(report),
        _marking(report),
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(wording.title(report))} — {label}</title>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )


def _marking(report: Sitrep) -> str:
    level = report.marking
    return (
        f'<p><span class="tlp" style="color:{COLOURS[level]};background:{BACKGROUND}">'
        f"{escape(level.label)}</span> {escape(MEANINGS[level])}</p>"
    )


def _sections(report: Sitrep) -> Iterable[str]:
    yield _section("Threat level", [_para(wording.posture_text(report), report.posture is None)])
    yield _section("Incidents", _incidents(report))
    yield _section("Campaigns", _campaigns(report))
    pairs = [(line.technique, line.alerts) for line in report.techniques]
    yield _section(
        "Top ATT&CK techniques",
        [svg.ranked("Alerts per technique", pairs), _table(("technique", "alerts"), pairs)],
    )
    yield _section("Indicators shared and sighted", _indicators(report))
    yield _section("Protective measures issued", _measures(report))
    yield _section("Requests for assistance", _assistance(report))


def _section(heading: str, parts: Sequence[str]) -> str:
    return f"<section><h2>{escape(heading)}</h2>{''.join(parts)}</section>"


def _para(text: str, missing: bool = False) -> str:
    css = ' class="na"' if missing else ""
    return f"<p{css}>{escape(text)}</p>"


def _table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    if not rows:
        return _para("None in this period.")
    kept, more = wording.shown(rows)
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    lines = "".join(
        "<tr>" + "".join(f"<td>{escape(wording.cell(value))}</td>" for value in row) + "</tr>"
        for row in kept
    )
    extra = _para(f"and {more} more") if more else ""
    return f"<table><tr>{cells}</tr>{lines}</table>{extra}"


def _incidents(report: Sitrep) -> list[str]:
    section, labels = report.incidents, wording.hour_labels(report.period)
    return [
        _para(wording.incident_summary(report)),
        svg.columns("New incidents per hour", section.new_per_hour, labels),
        svg.columns("Alerts per hour", section.alerts_per_hour, labels),
        _table(wording.INCIDENT_HEAD, wording.incident_rows(report)),
    ]


def _campaigns(report: Sitrep) -> list[str]:
    rows = [
        (c.id, c.link, ", ".join(c.members), c.other_members, "new" if c.new else "ongoing")
        for c in report.campaigns
    ]
    return [_table(("id", "shared observable", "members", "other members", "state"), rows)]


def _indicators(report: Sitrep) -> list[str]:
    section = report.indicators
    shared = [(i.name, i.pattern, i.tlp.label) for i in section.shared]
    sighted = [(i.name, i.pattern, i.sightings, i.tlp.label) for i in section.sighted]
    pairs = [(i.name or i.stix_id[:20], i.sightings) for i in section.sighted[:10]]
    return [
        _para(wording.indicator_summary(report)),
        "<h3>Shared</h3>",
        _table(("name", "pattern", "TLP"), shared),
        "<h3>Sighted</h3>",
        svg.ranked("Sightings per indicator", pairs),
        _table(("name", "pattern", "sightings", "TLP"), sighted),
    ]


def _measures(report: Sitrep) -> list[str]:
    if report.measures is None:
        return [_para(wording.NOT_AVAILABLE, missing=True)]
    rows = [(m.issued_at.strftime("%H:%M"), m.kind, m.title, m.tlp.label) for m in report.measures]
    return [_table(("issued", "kind", "measure", "TLP"), rows)]


def _assistance(report: Sitrep) -> list[str]:
    if report.assistance is None:
        return [_para(wording.NOT_AVAILABLE, missing=True)]
    rows = [
        (r.opened_at.strftime("%H:%M"), r.requester, r.status, r.title, r.tlp.label)
        for r in report.assistance
    ]
    return [_table(("opened", "requester", "status", "request", "TLP"), rows)]
