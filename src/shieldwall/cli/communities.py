"""`shieldwall community add|list|show`: communities from the machine running the centre.

The command line acts as the local operator (an admin of the centre) through the same
functions, checks and audit log as the API (``runtime.communities``).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from shieldwall import access
from shieldwall.cli.context import ConfigOption, out, reports_errors, services_from
from shieldwall.model.errors import InputError
from shieldwall.model.identity import OrgKind
from shieldwall.model.sharing import Community, CommunityRule

community_app = typer.Typer(help="Communities: named sets of organisations.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Mount `community` on the main app."""
    app.add_typer(community_app, name="community")


def parse_rule(text: str) -> CommunityRule:
    """``kind=civil,industry;country=NL,BE;sector=energy`` -> a rule (criteria AND-ed)."""
    criteria: dict[str, frozenset[str]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, sep, values = part.partition("=")
        if not sep or key.strip() not in ("kind", "country", "sector"):
            raise InputError(f"{part!r}: use kind=..., country=... or sector=...", place="--rule")
        criteria[key.strip()] = frozenset(v.strip() for v in values.split(",") if v.strip())
    try:
        kinds = frozenset(OrgKind(k) for k in criteria.get("kind", frozenset()))
    except ValueError as exc:
        raise InputError(f"{text!r}: {exc}", place="--rule") from exc
    countries = frozenset(c.upper() for c in criteria.get("country", frozenset()))
    return CommunityRule(kinds, countries, criteria.get("sector", frozenset()))


@community_app.command("add")
@reports_errors
def add(
    community_id: str = typer.Argument(..., help="Slug: lower-case letters, digits, hyphens."),
    name: str = typer.Option(..., "--name"),
    rule: list[str] = typer.Option(
        [], "--rule", help="kind=...;country=...;sector=... (repeat: rules are OR-ed)."
    ),
    member: list[str] = typer.Option([], "--member", help="An organisation added by hand."),
    exclude: list[str] = typer.Option([], "--exclude", help="An organisation kept out."),
    config: Path | None = ConfigOption,
) -> None:
    """Create a community from rules and hand-picked members."""
    community = Community(
        id=community_id,
        name=name,
        rules=tuple(parse_rule(text) for text in rule),
        members=frozenset(member),
        excluded=frozenset(exclude),
    )
    view = access.add_community(services_from(config).store, access.OPERATOR, community)
    out.print(f"added community {community_id} with {len(view.member_ids)} organisations")


@community_app.command("list")
@reports_errors
def list_(config: Path | None = ConfigOption) -> None:
    """List communities and how many organisations each holds now."""
    views = access.list_communities(services_from(config).store, access.OPERATOR)
    table = Table(title="Communities")
    for column in ("id", "name", "rules", "organisations"):
        table.add_column(column)
    for view in views:
        table.add_row(
            view.community.id,
            view.community.name,
            str(len(view.community.rules)),
            str(len(view.member_ids)),
        )
    out.print(table)


@community_app.command("show")
@reports_errors
def show(community_id: str, config: Path | None = ConfigOption) -> None:
    """Show a community's rules, hand-picked members, exclusions and current members."""
    view = access.get_community(services_from(config).store, access.OPERATOR, community_id)
    for line in describe(view):
        out.print(line, highlight=False)


def describe(view: access.CommunityView) -> list[str]:
    """The lines `show` prints."""
    community = view.community
    lines = [f"{community.id}: {community.name}"]
    for index, rule in enumerate(community.rules):
        lines.append(
            f"rule {index + 1}: kind={','.join(sorted(rule.kinds)) or '*'} "
            f"country={','.join(sorted(rule.countries)) or '*'} "
            f"sector={','.join(sorted(rule.sectors)) or '*'}"
        )
    lines.append(f"members by hand: {', '.join(sorted(community.members)) or '-'}")
    lines.append(f"excluded: {', '.join(sorted(community.excluded)) or '-'}")
    lines.append(f"organisations now: {', '.join(view.member_ids) or '-'}")
    return lines
