"""`shieldwall rules add|list|show|enable|disable|test`: the managed detection rules.

The command line acts as the local operator (an admin of the centre) through the same
desk, gate, checks and history as the API (``runtime`` ``Services.rules``). ``--set``
names a rule set: ``centre`` (the default for the operator) or a member's id. A rule text
refused is refused with every load error, one per line.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import orjson
import typer
from rich.table import Table

from shieldwall import access
from shieldwall.cli.context import ConfigOption, err, out, reports_errors, services_from
from shieldwall.model.errors import RuleSetError

P = ParamSpec("P")
R = TypeVar("R")
MAX_FILE = 16 << 20

rules_app = typer.Typer(help="Detection rules: the centre's set and members' own.")
SetOption = typer.Option(None, "--set", help="centre, or a member's id (default: centre).")


def register(app: typer.Typer) -> None:
    """Mount `rules` on the main app."""
    app.add_typer(rules_app, name="rules")


def lists_load_errors(function: Callable[P, R]) -> Callable[P, R]:
    """Print every load error of a refused rule text, then exit 1."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except RuleSetError as exc:
            err.print(f"[red]error:[/red] {exc.reason}")
            for problem in exc.problems:
                where = f" ({problem.rule_id})" if problem.rule_id else ""
                err.print(f"  {problem.source}{where}: {problem.reason}")
            raise typer.Exit(1) from exc

    return wrapper


def _read(path: Path) -> bytes:
    if path.stat().st_size > MAX_FILE:
        raise typer.BadParameter(f"{path} is larger than {MAX_FILE} bytes")
    return path.read_bytes()


@rules_app.command("add")
@reports_errors
@lists_load_errors
def add(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A Sigma YAML file."),
    rule_set: str | None = SetOption,
    config: Path | None = ConfigOption,
) -> None:
    """Add a rule, or a new version of the rule with the same id."""
    text = _read(file).decode("utf-8", errors="replace")
    version = services_from(config).rules.add(access.OPERATOR, text, rule_set=rule_set)
    out.print(f"rule {version.rule_id} of {version.scope}: version {version.version}")


@rules_app.command("list")
@reports_errors
def list_(
    rule_set: str | None = SetOption,
    check: bool = typer.Option(False, "--check", help="Also list the load errors."),
    config: Path | None = ConfigOption,
) -> None:
    """List the newest version of every rule."""
    desk = services_from(config).rules
    table = Table(title="Rules")
    for column in ("set", "id", "version", "enabled", "title"):
        table.add_column(column)
    for version in desk.current(access.OPERATOR, rule_set=rule_set):
        enabled = "yes" if version.enabled else "no"
        table.add_row(version.scope, version.rule_id, str(version.version), enabled, version.title)
    out.print(table)
    if check:
        for problem in desk.problems(access.OPERATOR):
            out.print(f"load error: {problem}")


@rules_app.command("show")
@reports_errors
def show(
    rule_id: str = typer.Argument(...),
    rule_set: str | None = SetOption,
    config: Path | None = ConfigOption,
) -> None:
    """Show a rule's newest text and its history."""
    versions = services_from(config).rules.history(access.OPERATOR, rule_id, rule_set=rule_set)
    newest = versions[-1]
    state = "enabled" if newest.enabled else "disabled"
    out.print(f"rule {newest.rule_id} of {newest.scope}, version {newest.version}, {state}")
    out.print(newest.text, markup=False, highlight=False)
    for version in versions:
        at = version.created_at.isoformat(timespec="seconds")
        out.print(f"v{version.version} {at} {version.change.value} by {version.author}")


def _switch(rule_id: str, enabled: bool, rule_set: str | None, config: Path | None) -> None:
    desk = services_from(config).rules
    version = desk.set_enabled(access.OPERATOR, rule_id, enabled, rule_set=rule_set)
    state = "enabled" if version.enabled else "disabled"
    out.print(f"rule {version.rule_id} of {version.scope}: {state} (version {version.version})")


@rules_app.command("enable")
@reports_errors
def enable(
    rule_id: str = typer.Argument(...),
    rule_set: str | None = SetOption,
    config: Path | None = ConfigOption,
) -> None:
    """Enable a rule."""
    _switch(rule_id, True, rule_set, config)


@rules_app.command("disable")
@reports_errors
def disable(
    rule_id: str = typer.Argument(...),
    rule_set: str | None = SetOption,
    config: Path | None = ConfigOption,
) -> None:
    """Disable a rule (it stays, with its history)."""
    _switch(rule_id, False, rule_set, config)


@rules_app.command("test")
@reports_errors
@lists_load_errors
def test(
    rule: str = typer.Argument(..., help="A Sigma YAML file, or the id of a stored rule."),
    events: Path = typer.Argument(..., exists=True, dir_okay=False, help="NDJSON events."),
    rule_set: str | None = SetOption,
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    config: Path | None = ConfigOption,
) -> None:
    """Run a rule over events and show what it matches (nothing is stored)."""
    desk = services_from(config).rules
    path = Path(rule)
    text = _read(path).decode("utf-8", errors="replace") if path.is_file() else None
    report = desk.test(
        access.OPERATOR,
        _read(events),
        text=text,
        rule_id=None if text is not None else rule,
        rule_set=rule_set,
    )
    if as_json:
        out.print_json(orjson.dumps(report.as_json()).decode())
        return
    out.print(f"{report.events} events, {len(report.matches)} matches")
    for match in report.matches:
        out.print(f"line {match['line']}: {match['rule']} {match['title']} ({match['level']})")
    for refused in report.refused:
        out.print(f"line {refused.line} refused: {refused.reason}")
    for problem in report.problems:
        out.print(f"problem: {problem}")
