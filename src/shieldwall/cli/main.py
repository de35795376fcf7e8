"""The `shieldwall` command: one Typer app, one module per command group."""

from __future__ import annotations

import typer

from shieldwall.cli import attack, audit, communities, intel, members, scan, server

app = typer.Typer(
    name="shieldwall",
    help="Shieldwall: an open, integrated cyber defence centre.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
for group in (server, members, audit, intel, scan, attack, communities):
    group.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
