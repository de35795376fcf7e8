"""`shieldwall report sitrep`: the daily situation report for one organisation.

The command line acts as the local operator (an admin of the centre) asking *for* the
organisation: the report holds what that organisation may see, never what the centre
sees (``runtime`` ``Services.sitrep``). HTML or PDF goes to ``--out`` or to standard
output.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from shieldwall import access
from shieldwall.cli.context import ConfigOption, err, reports_errors, services_from
from shieldwall.cli.handover import handover
from shieldwall.respond import SitrepFormat

report_app = typer.Typer(help="Reports made from what a member may see.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Mount `report` on the main app."""
    report_app.command("handover")(handover)
    app.add_typer(report_app, name="report")


@report_app.command("sitrep")
@reports_errors
def sitrep(
    org_id: str = typer.Option(..., "--for", help="The recipient organisation's id."),
    date: str | None = typer.Option(
        None, "--date", help="A day (2026-12-07) or the moment the 24 hours end (…T06:00:00Z)."
    ),
    format_: SitrepFormat = typer.Option(SitrepFormat.HTML, "--format"),
    out_file: Path | None = typer.Option(None, "--out", help="Write here (else standard output)."),
    config: Path | None = ConfigOption,
) -> None:
    """Build the SITREP of the 24 hours ending at --date for --for."""
    services = services_from(config)
    try:
        made = services.sitrep.render(access.OPERATOR, org_id, date, format_)
    finally:
        services.close()
    if out_file is None:
        sys.stdout.buffer.write(made.data)
        sys.stdout.buffer.flush()
    else:
        out_file.write_bytes(made.data)
        err.print(f"{made.filename}: {made.marking.label}, {len(made.data)} bytes → {out_file}")
