"""`shieldwall playbooks sign --key KEY.pem FILE`: add a CACAO 2.0 signature to a playbook.

Signing needs no running centre and no settings: it reads the playbook (JSON, or the YAML
authoring form), refuses it when the specification's own checks find problems, and writes
the signed playbook as JSON (to ``--out`` or standard output) in the layout ``playbooks
export`` uses. Importing it elsewhere checks the signature (docs/playbooks.md).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer

from shieldwall.cli.context import err, out, reports_errors
from shieldwall.respond import PlaybookRefusedError, sign_text


@reports_errors
def sign(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    key: Path = typer.Option(..., "--key", exists=True, dir_okay=False, help="PEM private key."),
    signee: str = typer.Option("", "--signee", help="Who signs (default: the playbook's author)."),
    valid_days: int | None = typer.Option(
        None, "--valid-days", min=1, max=3650, help="The signature expires after this many days."
    ),
    output: Path | None = typer.Option(None, "--out", help="Write here (default: stdout)."),
) -> None:
    """Sign a CACAO 2.0 playbook (Ed25519, ECDSA or RSA-PSS, by the kind of key)."""
    now = datetime.now(UTC)
    try:
        body = sign_text(
            path.read_bytes(),
            key.read_bytes(),
            signee=signee,
            now=now,
            valid_until=now + timedelta(days=valid_days) if valid_days else None,
            form="yaml" if path.suffix.lower() in (".yml", ".yaml") else "json",
        )
    except PlaybookRefusedError as exc:
        for problem in exc.problems:
            err.print(f"[red]{problem}[/red]", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from exc
    if output is None:
        out.out(body.decode(), highlight=False)
        return
    output.write_bytes(body + b"\n")
    err.print(f"signed into {output}", highlight=False)
