"""`shieldwall cases open|show|list|task|observable|comment|evidence|status|assign|share`.

The command line acts as a named person of the coalition (``--as``, a person's id or
e-mail), through the same desks, gate, status flow and timeline as the API: what that
person could not see through the API, the command does not show either.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table

from shieldwall import access
from shieldwall.cli.context import ConfigOption, out, reports_errors, services_from
from shieldwall.model.case import CaseStatus, TaskStatus
from shieldwall.model.errors import InputError, NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.respond import CaseView, tlp_label, tlp_level
from shieldwall.runtime import Services

cases_app = typer.Typer(help="Cases: incidents opened for handling.", no_args_is_help=True)
AsOption = typer.Option(..., "--as", help="The person acting: an id or an e-mail.")
TlpOption = typer.Option("amber+strict", "--tlp", help="clear, green, amber, amber+strict, red.")


def register(app: typer.Typer) -> None:
    """Mount `cases` on the main app."""
    app.add_typer(cases_app, name="cases")


def acting(services: Services, who: str) -> Principal:
    """The principal of the person named by id or e-mail (the operator looks them up)."""
    try:
        person = access.get_person(services.store, access.OPERATOR, who)
    except NotFoundError:
        people = access.list_people(services.store, access.OPERATOR, None)
        found = [p for p in people if p.email.lower() == who.lower()]
        if not found:
            raise InputError(f"no person {who!r}", place="--as") from None
        person = found[0]
    org = access.get_organisation(services.store, access.OPERATOR, person.org_id)
    return Principal(person.id, org.id, person.role, org.kind, org.country, org.sectors)


@cases_app.command("open")
@reports_errors
def open_(
    incident: int = typer.Argument(..., min=1),
    who: str = AsOption,
    config: Path | None = ConfigOption,
) -> None:
    """Open an incident as a case (again: show the case it has)."""
    services = services_from(config)
    _print(services.cases.open(acting(services, who), incident))


@cases_app.command("show")
@reports_errors
def show(
    case: int = typer.Argument(..., min=1), who: str = AsOption, config: Path | None = ConfigOption
) -> None:
    """Show a case with what the person may see of it."""
    services = services_from(config)
    _print(services.cases.get(acting(services, who), case))


@cases_app.command("list")
@reports_errors
def list_(
    who: str = AsOption,
    status: CaseStatus | None = typer.Option(None, "--status"),
    after: int = typer.Option(0, "--after", min=0),
    limit: int = typer.Option(100, "--limit", min=1, max=1000),
    config: Path | None = ConfigOption,
) -> None:
    """List the cases the person's organisation is a party to."""
    services = services_from(config)
    page = services.cases.page(acting(services, who), status=status, after=after, limit=limit)
    table = Table(title="Cases")
    for column in ("id", "incident", "member", "severity", "status", "due", "title"):
        table.add_column(column)
    for each in page:
        due = each.due_at.isoformat(timespec="minutes")
        cells = (each.org_id, each.severity, each.status.value, due, each.title)
        table.add_row(str(each.id), str(each.incident_id), *cells)
    out.print(table)


@cases_app.command("task")
@reports_errors
def task(
    case: int = typer.Argument(..., min=1),
    title: str = typer.Argument("", help="What to do (omit with --item to change a task)."),
    who: str = AsOption,
    owner: str | None = typer.Option(None, "--owner", help="A person's id."),
    due: datetime | None = typer.Option(None, "--due", help="Due time, with a time zone."),
    tlp: str = TlpOption,
    item: str | None = typer.Option(None, "--item", help="A task to change."),
    status: TaskStatus | None = typer.Option(None, "--status", help="With --item."),
    config: Path | None = ConfigOption,
) -> None:
    """Add a task, or change one (``--item ID --status done``)."""
    services = services_from(config)
    actor = acting(services, who)
    if item is not None:
        if status is None:
            raise InputError("--item needs --status", place="--status")
        changed = services.case_items.set_task(actor, case, item, status)
        out.print(f"task {changed.id} {changed.status}")
        return
    added = services.case_items.add_task(
        actor, case, title, tlp_level(tlp), owner=owner, due_at=due
    )
    out.print(f"task {added.id} added ({tlp_label(added.tlp)})")


@cases_app.command("observable")
@reports_errors
def observable(
    case: int = typer.Argument(..., min=1),
    kind: str = typer.Argument(..., help="ip, domain, url, email, md5, sha1, sha256, file-name"),
    value: str = typer.Argument(...),
    who: str = AsOption,
    tlp: str = TlpOption,
    config: Path | None = ConfigOption,
) -> None:
    """Add an observable."""
    services = services_from(config)
    added = services.case_items.add_observable(
        acting(services, who), case, kind, value, tlp_level(tlp)
    )
    out.print(f"observable {added.id} added: {added.observable_type} {added.body}")


@cases_app.command("comment")
@reports_errors
def comment(
    case: int = typer.Argument(..., min=1),
    text: str = typer.Argument(...),
    who: str = AsOption,
    tlp: str = TlpOption,
    config: Path | None = ConfigOption,
) -> None:
    """Add a comment."""
    services = services_from(config)
    added = services.case_items.add_comment(acting(services, who), case, text, tlp_level(tlp))
    out.print(f"comment {added.id} added ({tlp_label(added.tlp)})")


@cases_app.command("evidence")
@reports_errors
def evidence(
    case: int = typer.Argument(..., min=1),
    path: Path = typer.Argument(..., help="The file to add, or (with --get) to write."),
    who: str = AsOption,
    tlp: str = TlpOption,
    media_type: str = typer.Option("application/octet-stream", "--media-type"),
    get: str | None = typer.Option(None, "--get", help="Write this evidence item to PATH."),
    config: Path | None = ConfigOption,
) -> None:
    """Add an evidence file (kept by SHA-256), or fetch one with ``--get ITEM``."""
    services = services_from(config)
    actor = acting(services, who)
    if get is not None:
        item, content = services.case_items.evidence(actor, case, get)
        path.write_bytes(content)
        out.print(f"{path}: {item.size} bytes, sha256 {item.sha256}")
        return
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", place="path") from exc
    added = services.case_items.add_evidence(
        actor, case, path.name, content, tlp_level(tlp), media_type
    )
    out.print(f"evidence {added.id} added: {added.size} bytes, sha256 {added.sha256}")


@cases_app.command("status")
@reports_errors
def status(
    case: int = typer.Argument(..., min=1),
    to: CaseStatus = typer.Argument(...),
    who: str = AsOption,
    reason: str = typer.Option("", "--reason", help="Why (needed to close)."),
    config: Path | None = ConfigOption,
) -> None:
    """Move the case along new, triaged, in_progress, contained, closed."""
    services = services_from(config)
    _print(services.cases.set_status(acting(services, who), case, to, reason))


@cases_app.command("assign")
@reports_errors
def assign(
    case: int = typer.Argument(..., min=1),
    person: str = typer.Argument("-", help="A person's id; - for nobody."),
    who: str = AsOption,
    shift: str | None = typer.Option(None, "--shift", help="A shift's name."),
    config: Path | None = ConfigOption,
) -> None:
    """Give the case to a person and/or a shift."""
    services = services_from(config)
    actor = acting(services, who)
    _print(services.cases.assign(actor, case, None if person == "-" else person, shift))


@cases_app.command("share")
@reports_errors
def share(
    case: int = typer.Argument(..., min=1),
    org: str = typer.Argument(..., help="The member to share with."),
    who: str = AsOption,
    max_tlp: str = typer.Option("amber", "--max-tlp", help="Highest TLP of items it receives."),
    stop: bool = typer.Option(False, "--stop", help="Stop sharing with the member."),
    config: Path | None = ConfigOption,
) -> None:
    """Share the case with a member (its items up to --max-tlp), or stop."""
    services = services_from(config)
    actor = acting(services, who)
    if stop:
        _print(services.cases.unshare(actor, case, org))
    else:
        _print(services.cases.share(actor, case, org, tlp_level(max_tlp)))


def _print(view: CaseView) -> None:
    case = view.case
    closed = f" ({case.close_reason})" if case.close_reason else ""
    late = " OVERDUE" if view.overdue else ""
    out.print(f"case {case.id} of {case.org_id} (incident {case.incident_id}): {case.title}")
    out.print(f"severity {case.severity}, status {case.status.value}{closed}")
    out.print(f"due {case.due_at.isoformat(timespec='minutes')}{late}")
    out.print(f"assignee {case.assignee or '-'}, shift {case.shift or '-'}")
    if view.shares:
        shared = ", ".join(f"{s.org_id} (≤{tlp_label(s.max_tlp)})" for s in view.shares)
        out.print(f"shared with {shared}")
    items = Table(title="Items")
    for column in ("id", "kind", "tlp", "member", "what", "status"):
        items.add_column(column)
    for item in view.items:
        state = item.status.value if item.status else ""
        what = f"{item.observable_type} {item.body}" if item.observable_type else item.body
        if item.sha256:
            what = f"{item.body} ({item.size} bytes, sha256 {item.sha256[:16]}…)"
        items.add_row(item.id, item.kind.value, tlp_label(item.tlp), item.org_id, what, state)
    out.print(items)
    timeline = Table(title="Timeline")
    for column in ("at", "who", "what", "detail"):
        timeline.add_column(column)
    for entry in view.timeline:
        detail = ", ".join(f"{k}={v}" for k, v in entry.detail.items())
        timeline.add_row(entry.at.isoformat(timespec="seconds"), entry.actor, entry.action, detail)
    out.print(timeline)
