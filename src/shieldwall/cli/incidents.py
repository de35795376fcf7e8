"""`shieldwall incident list|show|assign|status|comment`: incidents from the centre's machine.

The command line acts as the local operator (an admin of the centre) through the same
desk, gate, status flow and history as the API (``runtime`` ``Services.incidents``).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from shieldwall import access
from shieldwall.cli.context import ConfigOption, out, reports_errors, services_from
from shieldwall.live import IncidentView
from shieldwall.model.incident import IncidentStatus

incident_app = typer.Typer(help="Incidents: members' alerts grouped.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Mount `incident` on the main app."""
    app.add_typer(incident_app, name="incident")


@incident_app.command("list")
@reports_errors
def list_(
    status: IncidentStatus | None = typer.Option(None, "--status"),
    severity: str | None = typer.Option(None, "--severity"),
    member: str | None = typer.Option(None, "--member"),
    after: int = typer.Option(0, "--after", min=0, help="Incidents after this id."),
    limit: int = typer.Option(100, "--limit", min=1, max=1000),
    config: Path | None = ConfigOption,
) -> None:
    """List incidents, oldest first."""
    desk = services_from(config).incidents
    page = desk.page(
        access.OPERATOR, status=status, severity=severity, member=member, after=after, limit=limit
    )
    table = Table(title="Incidents")
    for column in ("id", "member", "severity", "status", "alerts", "assignee", "title"):
        table.add_column(column)
    for incident in page:
        table.add_row(
            str(incident.id),
            incident.org_id,
            incident.severity,
            incident.status.value,
            str(incident.alert_count),
            incident.assignee or "",
            incident.title,
        )
    out.print(table)


@incident_app.command("show")
@reports_errors
def show(incident_id: int = typer.Argument(..., min=1), config: Path | None = ConfigOption) -> None:
    """Show an incident with its alerts and history."""
    _print(services_from(config).incidents.get(access.OPERATOR, incident_id))


@incident_app.command("assign")
@reports_errors
def assign(
    incident_id: int = typer.Argument(..., min=1),
    person: str = typer.Argument(
        ..., help="A person id of the member or the centre; - for nobody."
    ),
    config: Path | None = ConfigOption,
) -> None:
    """Give the incident to a person."""
    desk = services_from(config).incidents
    _print(desk.assign(access.OPERATOR, incident_id, None if person == "-" else person))


@incident_app.command("status")
@reports_errors
def status(
    incident_id: int = typer.Argument(..., min=1),
    to: IncidentStatus = typer.Argument(...),
    reason: str = typer.Option("", "--reason", help="Why (needed to close)."),
    config: Path | None = ConfigOption,
) -> None:
    """Move the incident along new, triaged, in_progress, contained, closed."""
    _print(services_from(config).incidents.set_status(access.OPERATOR, incident_id, to, reason))


@incident_app.command("comment")
@reports_errors
def comment(
    incident_id: int = typer.Argument(..., min=1),
    text: str = typer.Argument(...),
    config: Path | None = ConfigOption,
) -> None:
    """Add a comment to the incident's history."""
    _print(services_from(config).incidents.comment(access.OPERATOR, incident_id, text))


def _print(view: IncidentView) -> None:
    incident = view.incident
    closed = f" ({incident.close_reason})" if incident.close_reason else ""
    out.print(f"incident {incident.id} of {incident.org_id}: {incident.title}")
    out.print(f"severity {incident.severity}, {incident.alert_count} alert hits")
    out.print(f"status {incident.status.value}{closed}")
    out.print(f"assignee {incident.assignee or '-'}")
    alerts = Table(title="Alerts")
    for column in ("seq", "rule", "level", "count", "hosts", "users"):
        alerts.add_column(column)
    for alert in view.alerts:
        alerts.add_row(
            str(alert.seq),
            alert.rule_title,
            alert.level,
            str(alert.count),
            ", ".join(alert.entities.hosts),
            ", ".join(alert.entities.users),
        )
    out.print(alerts)
    history = Table(title="History")
    for column in ("at", "who", "what", "detail"):
        history.add_column(column)
    for change in view.history:
        detail = ", ".join(f"{k}={v}" for k, v in change.detail.items())
        history.add_row(
            change.at.isoformat(timespec="seconds"), change.actor, change.action, detail
        )
    out.print(history)
