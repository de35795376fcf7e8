"""`shieldwall playbooks import|export|validate|sign|list|run|runs|journal|approvals|…`.

The command line acts as the local operator (an admin of the centre), or as a person
named with ``--as`` (a member's lead approving for its organisation, say), through the
same desk and gate as the API (``runtime`` ``Services.playbooks``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from shieldwall import access
from shieldwall.cli.context import ConfigOption, err, out, reports_errors, services_from
from shieldwall.cli.playbook_sign import sign
from shieldwall.model.errors import InputError
from shieldwall.model.identity import OrgKind, Principal
from shieldwall.model.playbook import RunStatus
from shieldwall.respond import DryRun, PlaybookRefusedError, RunView, approval_json, entry_json
from shieldwall.runtime import Services

playbooks_app = typer.Typer(help="CACAO 2.0 playbooks, runs and approvals.", no_args_is_help=True)
AsOption = typer.Option(None, "--as", help="Act as this person (default: the local operator).")
OwnerOption = typer.Option(None, "--owner", help="Whose copy of the playbook (default: one's own).")


def register(app: typer.Typer) -> None:
    """Mount `playbooks` on the main app (``sign`` lives in :mod:`.playbook_sign`)."""
    playbooks_app.command("sign")(sign)
    app.add_typer(playbooks_app, name="playbooks")


def _who(svc: Services, person_id: str | None) -> Principal:
    """The person named, or the operator acting in the centre organisation."""
    if person_id is not None:
        person = access.get_person(svc.store, access.OPERATOR, person_id)
        org = access.get_organisation(svc.store, access.OPERATOR, person.org_id)
        return Principal(person.id, person.org_id, person.role, org.kind)
    centre = [
        o for o in access.list_organisations(svc.store, access.OPERATOR) if o.kind is OrgKind.CENTRE
    ]
    org_id = centre[0].id if centre else access.OPERATOR.org_id
    return Principal(access.OPERATOR.person_id, org_id, access.OPERATOR.role, OrgKind.CENTRE)


def _form(path: Path) -> Any:
    return "yaml" if path.suffix.lower() in (".yml", ".yaml") else "json"


def _refused(exc: PlaybookRefusedError) -> None:
    for problem in exc.problems:
        err.print(f"[red]{problem}[/red]", soft_wrap=True, highlight=False)
    raise typer.Exit(1)


@playbooks_app.command("import")
@reports_errors
def import_(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    triggers: Path | None = typer.Option(None, "--triggers", help="A JSON file of triggers."),
    person: str | None = AsOption,
    config: Path | None = ConfigOption,
) -> None:
    """Import a CACAO 2.0 playbook (.json, or .yaml for the authoring form)."""
    svc = services_from(config)
    given = json.loads(triggers.read_text(encoding="utf-8")) if triggers else None
    try:
        record = svc.playbooks.import_playbook(
            _who(svc, person), path.read_bytes(), form=_form(path), triggers=given
        )
    except PlaybookRefusedError as exc:
        _refused(exc)
        return
    out.print(f"imported {record.id} ({record.name}) for {record.org_id}")


@playbooks_app.command("validate")
@reports_errors
def validate(
    path: Path = typer.Argument(..., exists=True, dir_okay=False),
    config: Path | None = ConfigOption,
) -> None:
    """List every problem of a playbook; nothing is stored."""
    svc = services_from(config)
    found = svc.playbooks.validate(_who(svc, None), path.read_bytes(), form=_form(path))
    if found:
        _refused(PlaybookRefusedError(list(found)))
    out.print("valid")


@playbooks_app.command("export")
@reports_errors
def export(
    playbook_id: str = typer.Argument(...),
    owner: str | None = OwnerOption,
    person: str | None = AsOption,
    config: Path | None = ConfigOption,
) -> None:
    """Write a playbook as CACAO 2.0 JSON to standard output."""
    svc = services_from(config)
    body = svc.playbooks.export(_who(svc, person), playbook_id, owner)
    out.out(body.decode(), highlight=False)


@playbooks_app.command("list")
@reports_errors
def list_(person: str | None = AsOption, config: Path | None = ConfigOption) -> None:
    """The playbooks one may see."""
    svc = services_from(config)
    table = Table(title="Playbooks")
    for column in ("id", "name", "owner", "triggers"):
        table.add_column(column)
    for record in svc.playbooks.playbooks(_who(svc, person)):
        table.add_row(record.id, record.name, record.org_id, json.dumps(record.triggers))
    out.print(table)


@playbooks_app.command("run")
@reports_errors
def run(
    playbook_id: str = typer.Argument(...),
    variable: list[str] = typer.Option(
        [], "--var", help="__name__=value, for a playbook variable."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show what would happen; change nothing."
    ),
    owner: str | None = OwnerOption,
    person: str | None = AsOption,
    config: Path | None = ConfigOption,
) -> None:
    """Start a playbook by hand (or show what it would do)."""
    svc = services_from(config)
    values = dict(_pair(item) for item in variable)
    who = _who(svc, person)
    result = svc.playbooks.run(who, playbook_id, values, dry_run=dry_run, owner=owner)
    if isinstance(result, DryRun):
        for step in result.steps:
            out.print(f"would {step.kind} ({step.step_id}) with {json.dumps(step.inputs)}")
        out.print(f"dry run: {result.status.value} — {result.outcome}")
        return
    out.print(f"run {result.id}: {result.status.value} — {result.outcome}")


def _pair(item: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep:
        raise InputError("a variable is given as __name__=value", place="--var")
    return name, value


@playbooks_app.command("runs")
@reports_errors
def runs(
    status: RunStatus | None = typer.Option(None, "--status"),
    person: str | None = AsOption,
    config: Path | None = ConfigOption,
) -> None:
    """Runs that concern one, oldest first."""
    svc = services_from(config)
    table = Table(title="Runs")
    for column in ("id", "playbook", "for", "status", "outcome"):
        table.add_column(column)
    for item in svc.playbooks.runs(_who(svc, person), status=status, limit=1000):
        table.add_row(str(item.id), item.playbook_id, item.org_id, item.status.value, item.outcome)
    out.print(table)


@playbooks_app.command("journal")
@reports_errors
def journal(
    run_id: int = typer.Argument(..., min=1),
    person: str | None = AsOption,
    config: Path | None = ConfigOption,
) -> None:
    """A run's journal (step, inputs, outputs, who, when) and its approvals."""
    svc = services_from(config)
    _print(svc.playbooks.journal(_who(svc, person), run_id))


def _print(view: RunView) -> None:
    out.print(
        f"run {view.run.id} of {view.run.playbook_id}: {view.run.status.value} — {view.run.outcome}"
    )
    table = Table(title="Journal")
    for column in ("at", "step", "kind", "status", "who", "inputs", "outputs"):
        table.add_column(column)
    for entry in view.journal:
        row = entry_json(entry)
        table.add_row(
            str(row["at"]),
            entry.step_id,
            entry.kind,
            entry.status,
            entry.actor,
            json.dumps(entry.inputs),
            json.dumps(entry.outputs),
        )
    out.print(table)
    for approval in view.approvals:
        out.print(json.dumps(approval_json(approval)))


@playbooks_app.command("approvals")
@reports_errors
def approvals(person: str | None = AsOption, config: Path | None = ConfigOption) -> None:
    """Approvals waiting in runs that concern one's organisation, with what they ask."""
    svc = services_from(config)
    for approval in svc.playbooks.pending(_who(svc, person)):
        row = approval_json(approval)
        asked = row["context"]
        name = (asked.get("playbook") or {}).get("name") or f"run {approval.run_id}"
        step = (asked.get("step") or {}).get("name") or approval.step_id
        out.print(f"approval {approval.id}: {name} — {step}", highlight=False, soft_wrap=True)
        for line in asked.get("will_do") or []:
            out.print(f"  will do: {line}", highlight=False, soft_wrap=True)
        if asked.get("trigger"):
            out.print(f"  started: {asked['trigger']}", highlight=False, soft_wrap=True)
        out.print(json.dumps(row), highlight=False, soft_wrap=True)


@playbooks_app.command("approve")
@reports_errors
def approve(
    approval_id: int = typer.Argument(..., min=1),
    person: str | None = AsOption,
    config: Path | None = ConfigOption,
) -> None:
    """Approve a waiting step for one's organisation."""
    _decide(approval_id, True, person, config)


@playbooks_app.command("reject")
@reports_errors
def reject(
    approval_id: int = typer.Argument(..., min=1),
    person: str | None = AsOption,
    config: Path | None = ConfigOption,
) -> None:
    """Reject a waiting step for one's organisation (the run takes its failure path)."""
    _decide(approval_id, False, person, config)


def _decide(approval_id: int, yes: bool, person: str | None, config: Path | None) -> None:
    svc = services_from(config)
    result = svc.playbooks.decide(_who(svc, person), approval_id, yes)
    out.print(f"run {result.id}: {result.status.value} — {result.outcome}")
