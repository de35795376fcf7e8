"""`shieldwall audit verify` and `audit head`: check the log, and keep its head elsewhere.

Inside the database an older head put back after a cut is indistinguishable from a shorter
log, so an operator exports the signed head now and then (``shieldwall audit head >
HEAD.json``, kept off the machine) and verifies against it (``audit verify --against``).
"""

from __future__ import annotations

from pathlib import Path

import typer

from shieldwall import access
from shieldwall.cli.context import ConfigOption, err, out, reports_errors, services_from
from shieldwall.model.audit import ChainProblem
from shieldwall.model.errors import InputError

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
TAMPERED = 3


def register(app: typer.Typer) -> None:
    """Mount `audit` on the main app."""
    app.add_typer(audit_app, name="audit")


def _tampered(problem: ChainProblem) -> typer.Exit:
    err.print(
        f"[red]audit log tampered:[/red] entry {problem.seq} {problem.kind}: {problem.message}",
        markup=True,
        highlight=False,
    )
    return typer.Exit(TAMPERED)


def _read(path: Path) -> tuple[str, str]:
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot be read ({exc})", source=str(path)) from exc


@audit_app.command("verify")
@reports_errors
def verify(
    config: Path | None = ConfigOption,
    against: Path | None = typer.Option(
        None, "--against", help="A head exported earlier (`audit head`), kept elsewhere."
    ),
) -> None:
    """Verify the hash chain and its signatures; exit 3 naming the first tampered entry."""
    services = services_from(config)
    kept = _read(against) if against is not None else None
    count, problem = access.verify_audit_log(
        services.store, services.signer.verifier, access.OPERATOR, kept
    )
    if problem is not None:
        raise _tampered(problem)
    reference = f", and it holds the head in {against}" if against else ""
    out.print(f"audit log intact: {count} entries verified{reference}", highlight=False)


@audit_app.command("head")
@reports_errors
def head(config: Path | None = ConfigOption) -> None:
    """Print the signed head as JSON (keep it off this machine); exit 3 if the log is tampered."""
    services = services_from(config)
    text, problem = access.export_audit_head(
        services.store, services.signer.verifier, access.OPERATOR
    )
    if problem is not None or text is None:
        raise _tampered(problem or ChainProblem(0, "missing", "the log has no signed head"))
    typer.echo(text, nl=False)
