"""``shieldwall attack``: load MITRE's ATT&CK bundle, look techniques up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from shieldwall.model.errors import InputError
from shieldwall.scan import install_bundle, load_catalogue

USAGE_ERROR = 2

attack_app = typer.Typer(help="MITRE ATT&CK techniques: load the STIX bundle, look tags up.")

DataDirOption = Annotated[
    Path,
    typer.Option("--data-dir", envvar="SHIELDWALL_DATA_DIR", help="Data directory."),
]


@attack_app.command("load")
def load_command(
    bundle: Annotated[Path, typer.Argument(help="enterprise-attack STIX 2.1 bundle (.json[.gz]).")],
    data_dir: DataDirOption = Path("data"),
) -> None:
    """Build the technique table from a bundle into the data directory (then used by scan)."""
    console = Console(stderr=True)
    try:
        catalogue = install_bundle(bundle, data_dir)
    except InputError as error:
        console.print(f"[red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(USAGE_ERROR) from error
    console.print(f"{len(catalogue)} techniques written to {catalogue.origin}", highlight=False)


@attack_app.command("show")
def show_command(
    tags: Annotated[list[str], typer.Argument(help="Technique ids or rule tags (T1059.001).")],
    data_dir: DataDirOption = Path("data"),
) -> None:
    """Show what techniques ids or Sigma tags resolve to."""
    try:
        catalogue = load_catalogue(data_dir)
    except InputError as error:
        Console(stderr=True).print(f"[red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(USAGE_ERROR) from error
    wanted = [tag if tag.lower().startswith("attack.") else f"attack.{tag}" for tag in tags]
    table = Table(title=f"ATT&CK ({catalogue.origin})")
    for column in ("id", "name", "tactics"):
        table.add_column(column)
    for technique in catalogue.resolve(wanted):
        table.add_row(technique.id, technique.name or "(unknown)", ", ".join(technique.tactics))
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Mount the ``attack`` command group on the main application."""
    app.add_typer(attack_app, name="attack")
