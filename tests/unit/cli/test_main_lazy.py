"""The top-level command imports a group's module only when that group runs."""

from __future__ import annotations

import importlib
import subprocess
import sys

import typer
from typer.testing import CliRunner

from shieldwall.cli.main import COMMANDS, app

HEAVY = ("sqlalchemy", "fastapi", "sigma", "stix2", "uvicorn", "shieldwall.runtime.wiring")


def _imported_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return [name for name in result.stdout.strip().split(",") if name]


def test_importing_the_cli_pulls_in_no_heavy_module() -> None:
    """What every ``--jobs`` worker imports again (the program's main module) stays light."""
    assert _imported_after("import shieldwall.cli.main") == []


def test_running_one_command_imports_only_what_it_needs() -> None:
    code = (
        "from typer.testing import CliRunner\n"
        "from shieldwall.cli.main import app\n"
        "assert CliRunner().invoke(app, ['attack', '--help']).exit_code == 0"
    )
    assert "fastapi" not in _imported_after(code)
    assert "sqlalchemy" not in _imported_after(code)


def test_the_map_names_every_command_each_module_registers() -> None:
    registered: dict[str, str] = {}
    for module_name in set(COMMANDS.values()):
        holder = typer.Typer()
        importlib.import_module(f"shieldwall.cli.{module_name}").register(holder)
        for name in typer.main.get_group(holder).commands:
            registered[name] = module_name
    assert registered == COMMANDS


def test_help_lists_every_command_and_an_unknown_one_is_refused() -> None:
    runner = CliRunner()
    listing = runner.invoke(app, ["--help"])
    assert listing.exit_code == 0
    assert all(name in listing.output for name in COMMANDS)
    unknown = runner.invoke(app, ["no-such-command"])
    assert unknown.exit_code == 2
    assert "No such command" in unknown.output
