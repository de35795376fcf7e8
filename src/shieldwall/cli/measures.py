"""`shieldwall measures issue|list|withdraw|subscribe|build|verify|allowlist ...`.

The command line acts as the local operator (an admin of the centre) through the same
measure desk, gate and permission table as the API (``runtime`` ``Services.measures``).
``verify`` needs no database: it checks a manifest and its files against a public key.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer

from shieldwall import access, respond
from shieldwall.cli.context import ConfigOption, out, reports_errors, services_from
from shieldwall.model.errors import InputError
from shieldwall.model.identity import OrgKind, Principal, Role
from shieldwall.model.measures import MeasureFormat, MeasureKind, Subscription

measures_app = typer.Typer(help="Protective measures for every member.", no_args_is_help=True)
allow_app = typer.Typer(help="Values never to block.", no_args_is_help=True)
measures_app.add_typer(allow_app, name="allowlist")
UNITS = {"m": 60, "h": 3600, "d": 86400}


def register(app: typer.Typer) -> None:
    """Mount `measures` on the main app."""
    app.add_typer(measures_app, name="measures")


def _as(org: str) -> Principal:
    """The operator acting in the name of ``org`` (the centre unless told)."""
    return Principal("operator", org, Role.ADMIN, OrgKind.CENTRE)


def _print(body: object) -> None:
    out.print_json(json.dumps(body))


def _duration(text: str) -> timedelta:
    unit = UNITS.get(text[-1:])
    if unit is None or not text[:-1].isdigit():
        raise InputError("a duration is a number and m, h or d (30m, 12h, 7d)", place="--for")
    return timedelta(seconds=int(text[:-1]) * unit)


@measures_app.command("issue")
@reports_errors
def issue(
    kind: MeasureKind = typer.Argument(...),
    value: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    valid_for: str = typer.Option("7d", "--for", help="How long: 30m, 12h, 7d."),
    valid_until: datetime | None = typer.Option(
        None, "--until", help="Until this time (UTC unless a zone is given); wins over --for."
    ),
    key: str = typer.Option("", "--key", help="Idempotency key (default: kind:value)."),
    tlp: str = typer.Option("green", "--tlp"),
    confidence: int = typer.Option(100, "--confidence", min=0, max=100),
    community: list[str] = typer.Option([], "--community"),
    member: list[str] = typer.Option([], "--member"),
    org: str = typer.Option("centre", "--org", help="The issuing organisation."),
    config: Path | None = ConfigOption,
) -> None:
    """Issue a block (idempotent by key)."""
    until = datetime.now(UTC) + _duration(valid_for)
    if valid_until is not None:  # a replay with the same --until is the same measure
        until = valid_until if valid_until.tzinfo else valid_until.replace(tzinfo=UTC)
    request = respond.IssueRequest(
        kind.value, value, reason, until, confidence, tlp, frozenset(community), frozenset(member)
    )
    outcome = services_from(config).measures.issue(_as(org), request, key or f"{kind}:{value}")
    _print(respond.measure_json(outcome.measure) | {"replayed": outcome.replayed})


@measures_app.command("list")
@reports_errors
def list_(
    all_: bool = typer.Option(False, "--all", help="Withdrawn and expired ones too."),
    config: Path | None = ConfigOption,
) -> None:
    """Measures issued, current ones unless --all."""
    found = services_from(config).measures.measures(access.OPERATOR, current=not all_)
    _print([respond.measure_json(m) for m in found])


@measures_app.command("withdraw")
@reports_errors
def withdraw(
    measure_id: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    config: Path | None = ConfigOption,
) -> None:
    """Withdraw a measure: gone from the next version of every list."""
    measure = services_from(config).measures.withdraw(access.OPERATOR, measure_id, reason)
    _print(respond.measure_json(measure))


@measures_app.command("subscribe")
@reports_errors
def subscribe(
    member: str = typer.Argument(...),
    name: str = typer.Argument("default"),
    kind: list[MeasureKind] = typer.Option(list(MeasureKind), "--kind"),
    fmt: list[MeasureFormat] = typer.Option(list(MeasureFormat), "--format"),
    min_confidence: int = typer.Option(0, "--min-confidence", min=0, max=100),
    indicators: bool = typer.Option(True, "--indicators/--no-indicators"),
    config: Path | None = ConfigOption,
) -> None:
    """Create or replace a member's subscription."""
    sub = Subscription(
        member,
        name,
        frozenset(kind),
        frozenset(fmt),
        min_confidence,
        indicators,
        datetime.now(UTC),
    )
    _print(
        respond.subscription_json(services_from(config).measures.subscribe(access.OPERATOR, sub))
    )


@measures_app.command("subscriptions")
@reports_errors
def subscriptions(member: str = typer.Argument(...), config: Path | None = ConfigOption) -> None:
    """A member's subscriptions."""
    found = services_from(config).measures.subscriptions(access.OPERATOR, member)
    _print([respond.subscription_json(sub) for sub in found])


@measures_app.command("unsubscribe")
@reports_errors
def unsubscribe(
    member: str = typer.Argument(...),
    name: str = typer.Argument(...),
    config: Path | None = ConfigOption,
) -> None:
    """Remove a member's subscription."""
    services_from(config).measures.unsubscribe(access.OPERATOR, member, name)
    out.print(f"removed {member}/{name}")


@measures_app.command("build")
@reports_errors
def build(
    member: str = typer.Argument(...),
    name: str = typer.Option("default", "--subscription"),
    folder: Path = typer.Option(..., "--out", help="Folder for the files and manifest.json."),
    config: Path | None = ConfigOption,
) -> None:
    """Build the member's list version now: every subscribed format and the signed manifest."""
    built = services_from(config).measures.build(access.OPERATOR, member, name)
    folder.mkdir(parents=True, exist_ok=True)
    for fmt, content in built.files.items():
        (folder / built.file_name(fmt)).write_bytes(content)
    (folder / respond.MANIFEST_FILE).write_bytes(built.manifest_bytes)
    _print(respond.report_json(built))


@measures_app.command("stopped")
@reports_errors
def stopped(
    member: str = typer.Argument(...),
    name: str = typer.Option("default", "--subscription"),
    config: Path | None = ConfigOption,
) -> None:
    """What allow-lists stopped (and values refused) in the member's list now."""
    built = services_from(config).measures.build(access.OPERATOR, member, name, MeasureFormat.PLAIN)
    report = respond.report_json(built)
    _print({"stopped": report["stopped"], "refused": report["refused"]})


@measures_app.command("key")
@reports_errors
def key(config: Path | None = ConfigOption) -> None:
    """Print the centre's public key (PEM) that verifies every manifest."""
    typer.echo(services_from(config).measures.public_key(access.OPERATOR).decode(), nl=False)


@measures_app.command("verify")
@reports_errors
def verify(
    manifest: Path = typer.Argument(..., help="manifest.json, its files beside it."),
    key_file: Path = typer.Option(..., "--key", help="The centre's public key (PEM)."),
) -> None:
    """Check a list version: the manifest's signature, then every file's SHA-256."""
    try:
        pem = key_file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the key: {exc}", place="--key") from None
    checked = respond.verify_manifest(manifest, pem)
    files = len(checked.get("files", {}))
    out.print(
        f"OK: {checked.get('member')}/{checked.get('subscription')} "
        f"version {checked.get('version')}, {files} files verified"
    )


@allow_app.command("show")
@reports_errors
def allow_show(
    member: str | None = typer.Option(None, "--member", help="Also this member's own."),
    config: Path | None = ConfigOption,
) -> None:
    """The coalition's allow-list (and a member's)."""
    found = services_from(config).measures.allowlist(access.OPERATOR, member)
    _print([respond.allow_json(entry) for entry in found])


@allow_app.command("add")
@reports_errors
def allow_add(
    kind: MeasureKind = typer.Argument(...),
    value: str = typer.Argument(...),
    member: str | None = typer.Option(None, "--member", help="Only for this member."),
    note: str = typer.Option("", "--note"),
    config: Path | None = ConfigOption,
) -> None:
    """Never block a value: coalition-wide unless --member."""
    desk = services_from(config).measures
    _print(respond.allow_json(desk.allow(access.OPERATOR, member, kind.value, value, note)))


@allow_app.command("remove")
@reports_errors
def allow_remove(entry_id: str = typer.Argument(...), config: Path | None = ConfigOption) -> None:
    """Remove an allow-list entry."""
    services_from(config).measures.disallow(access.OPERATOR, entry_id)
    out.print(f"removed {entry_id}")
