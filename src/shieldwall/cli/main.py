"""The `shieldwall` command: one Typer app, one module per command group, imported on use.

A command's module is imported only when that command runs (or when ``--help`` lists them
all). Importing every group up front pulled in the API, the store, STIX and pySigma: 1.2 s
before ``shieldwall scan`` could start, paid again by every ``--jobs`` worker, which imports
the program's main module as any ``multiprocessing`` child does.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from typer import _click  # the Click that Typer vendors and types its classes with

COMMANDS: dict[str, str] = {
    "up": "server",
    "serve": "server",
    "db": "server",
    "org": "members",
    "user": "members",
    "token": "members",
    "audit": "audit",
    "intel": "intel",
    "scan": "scan",
    "attack": "attack",
    "community": "communities",
    "incident": "incidents",
    "campaign": "campaigns",
    "posture": "posture",
    "worker": "worker",
    "demo": "demo",
    "report": "reports",
    "measures": "measures",
    "cases": "cases",
    "rules": "rules",
    "notify": "notify",
    "assist": "assist",
    "playbooks": "playbooks",
}
"""Each top-level command and the ``shieldwall.cli`` module whose ``register`` mounts it."""


class LazyCommands(TyperGroup):
    """The top-level group: commands are built from their module the first time they are asked
    for."""

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in COMMANDS:
            command = _load(cmd_name)
            self.add_command(command, cmd_name)
        return command


def _load(name: str) -> _click.Command:
    """Import the module that registers ``name`` and build that one command."""
    module = importlib.import_module(f"shieldwall.cli.{COMMANDS[name]}")
    holder = typer.Typer()
    module.register(holder)
    return typer.main.get_group(holder).commands[name]


app = typer.Typer(
    name="shieldwall",
    cls=LazyCommands,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def shieldwall() -> None:
    """Shieldwall: an open, integrated cyber defence centre."""


def main() -> None:
    """Console-script entry point."""
    app()
