"""`shieldwall audit verify`: check the tamper-evident audit log end to end."""

from __future__ import annotations

from pathlib import Path

import typer

from shieldwall import access
from shieldwall.cli.context import ConfigOption, err, out, reports_errors, services_from

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
TAMPERED = 3


def register(app: typer.Typer) -> None:
    """Mount `audit` on the main app."""
    app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
@reports_errors
def verify(config: Path | None = ConfigOption) -> None:
    """Verify the hash chain and its signatures; exit 3 naming the first tampered entry."""
    services = services_from(config)
    count, problem = access.verify_audit_log(
        services.store, services.signer.verifier, access.OPERATOR
    )
    if problem is None:
        out.print(f"audit log intact: {count} entries verified")
        return
    err.print(
        f"[red]audit log tampered:[/red] entry {problem.seq} {problem.kind}: {problem.message}"
    )
    raise typer.Exit(TAMPERED)
