"""`shieldwall posture [--history] [--recompute]`: threat levels from the centre's machine.

The command line acts as the local operator (an admin of the centre) through the same
desk and gate as the API (``runtime`` ``Services.posture``): every member's level, every
sector's and the coalition's, or their changes with ``--history``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer
from rich.table import Table

from shieldwall import access
from shieldwall.cli.context import ConfigOption, out, reports_errors, services_from
from shieldwall.model.posture import PostureEntry, ScopeKind


def register(app: typer.Typer) -> None:
    """Mount `posture` on the main app."""
    app.command("posture")(posture)


@reports_errors
def posture(
    history: bool = typer.Option(False, "--history", help="The changes, oldest first."),
    recompute: bool = typer.Option(False, "--recompute", help="Recompute every level first."),
    scope: ScopeKind | None = typer.Option(None, "--scope", help="Only this kind of scope."),
    key: str | None = typer.Option(None, "--key", help="Only this member or sector."),
    after: int = typer.Option(0, "--after", min=0, help="History after this change id."),
    limit: int = typer.Option(100, "--limit", min=1, max=1000),
    config: Path | None = ConfigOption,
) -> None:
    """Threat levels of the members, the sectors and the coalition (five levels)."""
    desk = services_from(config).posture
    if recompute:
        changes = desk.recompute_for(access.OPERATOR)
        out.print(f"recomputed: {len(changes)} level(s) changed")
    if history:
        found = desk.history(access.OPERATOR, kind=scope, key=key, after=after, limit=limit)
        out.print(_table("Posture history", found, with_previous=True))
        return
    levels = [
        entry
        for entry in desk.levels(access.OPERATOR)
        if (scope is None or entry.kind is scope) and (key is None or entry.key == key)
    ]
    out.print(_table("Posture", levels, with_previous=False))


def _table(title: str, entries: Sequence[PostureEntry], *, with_previous: bool) -> Table:
    table = Table(title=title)
    columns = ["id", "scope", "key", "level", "score", "since"]
    if with_previous:
        columns.insert(4, "from")
    for column in columns:
        table.add_column(column)
    for entry in entries:
        row = [str(entry.id), entry.kind.value, entry.key, f"{entry.level} {entry.name}"]
        if with_previous:
            row.append(str(entry.previous or ""))
        table.add_row(
            *row,
            "" if entry.score is None else f"{entry.score:g}",
            entry.at.isoformat(timespec="seconds"),
        )
    return table
