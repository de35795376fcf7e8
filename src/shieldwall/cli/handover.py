"""`shieldwall report handover`: what changed since the last shift handover.

Acts as a named person (``--as``), like ``shieldwall cases``; ``--take`` records this
handover, so the next report starts here. ``--json`` prints the API's document. Mounted
under ``report`` beside the SITREP (:mod:`shieldwall.cli.reports`).
"""

from __future__ import annotations

from pathlib import Path

import orjson
import typer
from rich.table import Table

from shieldwall.cli.cases import AsOption, acting
from shieldwall.cli.context import ConfigOption, out, reports_errors, services_from
from shieldwall.respond import HandoverReport, handover_json


@reports_errors
def handover(
    who: str = AsOption,
    take: bool = typer.Option(False, "--take", help="Record this handover."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON document."),
    config: Path | None = ConfigOption,
) -> None:
    """New and escalated incidents, overdue tasks, pending approvals, open requests."""
    services = services_from(config)
    report = services.handover.report(acting(services, who), take=take)
    if as_json:
        out.print_json(orjson.dumps(handover_json(report)).decode())
        return
    _print(report)


def _print(report: HandoverReport) -> None:
    since = report.since.isoformat(timespec="minutes") if report.since else "the start"
    taken = " (taken)" if report.taken else ""
    out.print(f"handover for {report.org_id}: since {since}{taken}")
    table = Table(title="What changed")
    for column in ("what", "ref", "detail"):
        table.add_column(column)
    for incident in report.new_incidents:
        table.add_row("new incident", str(incident.id), f"{incident.severity} {incident.title}")
    for rise in report.escalated:
        detail = f"{rise.was} → {rise.incident.severity} {rise.incident.title}"
        table.add_row("escalated incident", str(rise.incident.id), detail)
    for task in report.overdue_tasks:
        due = task.due_at.isoformat(timespec="minutes") if task.due_at else ""
        table.add_row("overdue task", f"case {task.case_id}", f"{task.body} (due {due})")
    for case in report.overdue_cases:
        table.add_row("overdue case", str(case.id), f"{case.severity} {case.title}")
    for label, waiting in (
        ("pending approval", report.pending_approvals),
        ("open request", report.open_requests),
    ):
        if waiting is None:
            table.add_row(label, "-", "not available in this process")
        for item in waiting or ():
            table.add_row(label, item.ref, item.title)
    out.print(table)
