"""What every command needs: settings loaded once, services opened on demand, clean errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from shieldwall.config.settings import Settings, load_settings
from shieldwall.model.errors import NotFoundError, ShieldwallError
from shieldwall.runtime import Services, open_services

P = ParamSpec("P")
R = TypeVar("R")

err = Console(stderr=True)
out = Console()
USAGE_ERROR = 2


def settings_from(config: Path | None) -> Settings:
    """Settings from the environment and an optional TOML file."""
    return load_settings(os.environ, config)


def services_from(config: Path | None) -> Services:
    """Open the store named by the settings (migrating it if it is new)."""
    return open_services(settings_from(config))


def reports_errors(function: Callable[P, R]) -> Callable[P, R]:
    """Turn Shieldwall errors into one red line and exit code 1 (2 for usage errors)."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except NotFoundError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from exc
        except ShieldwallError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from exc

    return wrapper


ConfigOption = typer.Option(
    None, "--config", help="TOML settings file (else SHIELDWALL_CONFIG).", exists=False
)


def stdout_is_terminal() -> bool:
    """Whether to print tables (terminal) or plain lines (pipes)."""
    return sys.stdout.isatty()
