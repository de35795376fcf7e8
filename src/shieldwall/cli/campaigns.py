"""`shieldwall campaign list|show`: campaigns from the centre's machine (all of them).

The command line acts as the local operator (an admin of the centre) through the same
desk and gate as the API (``runtime`` ``Services.campaigns``).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from shieldwall import access
from shieldwall.cli.context import ConfigOption, out, reports_errors, services_from

campaign_app = typer.Typer(
    help="Campaigns: one observable in incidents of several members.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Mount `campaign` on the main app."""
    app.add_typer(campaign_app, name="campaign")


@campaign_app.command("list")
@reports_errors
def list_(
    after: int = typer.Option(0, "--after", min=0, help="Campaigns after this id."),
    limit: int = typer.Option(100, "--limit", min=1, max=1000),
    config: Path | None = ConfigOption,
) -> None:
    """List campaigns, oldest first."""
    page = services_from(config).campaigns.page(access.OPERATOR, after=after, limit=limit)
    table = Table(title="Campaigns")
    for column in ("id", "observable", "members", "incidents"):
        table.add_column(column)
    for sight in page:
        table.add_row(
            str(sight.id),
            sight.link,
            ", ".join(member.org_id for member in sight.members),
            str(sum(len(member.incident_ids) for member in sight.members)),
        )
    out.print(table)


@campaign_app.command("show")
@reports_errors
def show(campaign_id: int = typer.Argument(..., min=1), config: Path | None = ConfigOption) -> None:
    """Show a campaign: each member's incidents holding the observable."""
    sight = services_from(config).campaigns.get(access.OPERATOR, campaign_id)
    out.print(f"campaign {sight.id}: {sight.link}")
    for member in sight.members:
        incidents = ", ".join(str(number) for number in member.incident_ids)
        out.print(f"{member.org_id}: incidents {incidents}")
