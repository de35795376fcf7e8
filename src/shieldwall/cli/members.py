"""`shieldwall org|user|token ...`: administer members from the machine running the centre.

The command line acts as the local operator (an admin of the centre); every change goes
through the same functions, checks and audit log as the API.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import typer
from rich.table import Table

from shieldwall import access
from shieldwall.cli.context import ConfigOption, out, reports_errors, services_from
from shieldwall.model.emails import email_key
from shieldwall.model.errors import NotFoundError
from shieldwall.model.identity import Organisation, OrgKind, OrgStatus, Person, Role
from shieldwall.runtime import Services

org_app = typer.Typer(help="Member organisations.", no_args_is_help=True)
user_app = typer.Typer(help="People and sensors.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Mount `org`, `user` and `token` on the main app."""
    app.add_typer(org_app, name="org")
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")


def _table(title: str, columns: list[str], rows: list[list[str]]) -> Table:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    return table


@org_app.command("add")
@reports_errors
def org_add(
    org_id: str = typer.Argument(..., help="Slug: lower-case letters, digits, hyphens."),
    name: str = typer.Option(..., "--name"),
    kind: OrgKind = typer.Option(..., "--kind"),
    country: str = typer.Option(..., "--country", help="ISO 3166 alpha-2, e.g. FR."),
    sector: list[str] = typer.Option([], "--sector", help="Repeat for several sectors."),
    parent: str | None = typer.Option(None, "--parent", help="The org this one is a client of."),
    config: Path | None = ConfigOption,
) -> None:
    """Register a member organisation."""
    org = Organisation(
        id=org_id,
        name=name,
        kind=kind,
        country=country.upper(),
        sectors=tuple(sector),
        parent_id=parent,
    )
    access.add_organisation(services_from(config).store, access.OPERATOR, org)
    out.print(f"added organisation {org_id}")


@org_app.command("list")
@reports_errors
def org_list(config: Path | None = ConfigOption) -> None:
    """List member organisations."""
    orgs = access.list_organisations(services_from(config).store, access.OPERATOR)
    rows = [
        [o.id, o.name, o.kind, o.country, ",".join(o.sectors), o.parent_id or "", o.status]
        for o in orgs
    ]
    out.print(
        _table(
            "Organisations", ["id", "name", "kind", "country", "sectors", "parent", "status"], rows
        )
    )


@org_app.command("suspend")
@reports_errors
def org_suspend(org_id: str, config: Path | None = ConfigOption) -> None:
    """Suspend an organisation: its tokens are refused from the next request."""
    access.set_org_status(services_from(config).store, access.OPERATOR, org_id, OrgStatus.SUSPENDED)
    out.print(f"suspended {org_id}")


@org_app.command("reactivate")
@reports_errors
def org_reactivate(org_id: str, config: Path | None = ConfigOption) -> None:
    """Reactivate a suspended organisation."""
    access.set_org_status(services_from(config).store, access.OPERATOR, org_id, OrgStatus.ACTIVE)
    out.print(f"reactivated {org_id}")


@org_app.command("sectors")
@reports_errors
def org_sectors(
    org_id: str,
    sector: list[str] = typer.Option([], "--sector", help="Repeat for several; none: no sector."),
    config: Path | None = ConfigOption,
) -> None:
    """Set the sectors a member is in (posture is kept per sector)."""
    org = access.set_sectors(services_from(config).store, access.OPERATOR, org_id, sector)
    out.print(f"{org_id}: sectors {', '.join(org.sectors) or '(none)'}")


@user_app.command("add")
@reports_errors
def user_add(
    email: str = typer.Argument(...),
    org: str = typer.Option(..., "--org"),
    name: str = typer.Option(..., "--name"),
    role: Role = typer.Option(..., "--role"),
    password: bool = typer.Option(False, "--password", help="Prompt for a password."),
    config: Path | None = ConfigOption,
) -> None:
    """Add a person (or a sensor) to an organisation."""
    secret = (
        typer.prompt("password", hide_input=True, confirmation_prompt=True) if password else None
    )
    person = Person(id="", org_id=org, name=name, email=email, role=role)
    stored = access.add_person(services_from(config).store, access.OPERATOR, person, secret)
    out.print(f"added {stored.role} {stored.email} with id {stored.id}")


@user_app.command("list")
@reports_errors
def user_list(
    org: str | None = typer.Option(None, "--org"), config: Path | None = ConfigOption
) -> None:
    """List people, of one organisation or all."""
    people = access.list_people(services_from(config).store, access.OPERATOR, org)
    rows = [[p.id, p.org_id, p.email, p.name, p.role, "yes" if p.active else "no"] for p in people]
    out.print(_table("People", ["id", "org", "email", "name", "role", "active"], rows))


@token_app.command("create")
@reports_errors
def token_create(
    email: str = typer.Argument(..., help="The person or sensor the token acts as."),
    name: str = typer.Option("cli", "--name"),
    days: int = typer.Option(90, "--days", min=1, max=3650),
    config: Path | None = ConfigOption,
) -> None:
    """Issue a token; it is printed once and never stored."""
    services = services_from(config)
    person = _person_by_email(services, email)
    issued = access.create_token(
        services.store, access.OPERATOR, person.id, name, timedelta(days=days)
    )
    out.print(f"token {issued.token.id} expires {issued.token.expires_at:%Y-%m-%d}; shown once:")
    out.print(issued.secret, soft_wrap=True, highlight=False)


def _person_by_email(services: Services, email: str) -> Person:
    """The person with this address, however spelt (case, Unicode forms)."""
    wanted = email_key(email)
    for person in access.list_people(services.store, access.OPERATOR, None):
        if email_key(person.email) == wanted:
            return person
    raise NotFoundError(f"no person with e-mail {email}")


@token_app.command("revoke")
@reports_errors
def token_revoke(token_id: str, config: Path | None = ConfigOption) -> None:
    """Revoke a token by its id."""
    access.revoke_token(services_from(config).store, access.OPERATOR, token_id)
    out.print(f"revoked {token_id}")


@token_app.command("list")
@reports_errors
def token_list(config: Path | None = ConfigOption) -> None:
    """List tokens (never their secrets)."""
    tokens = access.list_tokens(services_from(config).store, access.OPERATOR)
    rows = [
        [
            t.id,
            t.person_id,
            t.name,
            f"{t.expires_at:%Y-%m-%d}",
            "revoked" if t.revoked_at else "active",
        ]
        for t in tokens
    ]
    out.print(_table("Tokens", ["id", "person", "name", "expires", "state"], rows))
