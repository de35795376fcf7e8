"""`shieldwall intel import|export|list|pull|push`: the intelligence store from the command line.

The local operator acts for an organisation (``--as ORG``). ``import`` *receives* what that
organisation brings in from elsewhere: STIX bundles, MISP events and MISP feed directories
(recognised by content). Objects keep their own ``created_by_ref`` as provenance; the
organisation is recorded as producer and its audience rules apply (see
:mod:`shieldwall.share.intel.provenance`). Exports are made *for* an organisation through
the same gate and egress rules as TAXII: what it may receive now, up to TLP:AMBER+STRICT,
never unmarked objects. ``pull`` and ``push`` are in :mod:`.feeds`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import typer
from rich.markup import escape

from shieldwall.cli import feeds
from shieldwall.cli.context import ConfigOption, err, out, reports_errors, services_from
from shieldwall.model.errors import InputError, NotFoundError
from shieldwall.model.identity import Principal, Role
from shieldwall.model.intel import IntelQuery
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.export import EXPORT_CHANNEL, csv_rows, select_for, stix_bundle
from shieldwall.share.intel.intake import Intake, IntakeOptions, held_events, read_path
from shieldwall.share.intel.misp_export import misp_events
from shieldwall.share.intel.publish import publish_received
from shieldwall.share.misp import FeedOptions, MispImportContext, export_feed
from shieldwall.store.protocols import Store

intel_app = typer.Typer(help="The STIX 2.1 intelligence store.", no_args_is_help=True)
FORMATS = ("stix", "misp", "csv")


def register(app: typer.Typer) -> None:
    """Mount `intel` (with `pull` and `push`) on the main app."""
    app.add_typer(intel_app, name="intel")


def _operator_for(store: Store, org_id: str) -> Principal:
    with store.transaction() as tx:
        org = tx.organisations.get(org_id)
    if org is None:
        raise NotFoundError(f"organisation {org_id} not found")
    return Principal("operator", org.id, Role.ADMIN, org.kind, org.country, org.sectors)


@intel_app.command("import")
@reports_errors
def import_(
    path: Path = typer.Argument(..., exists=True, help="STIX bundle, MISP event or feed, folder."),
    as_org: str = typer.Option(..., "--as", help="The organisation receiving the objects."),
    to: list[str] = typer.Option([], "--to", help="Address STIX objects to these organisations."),
    community: list[str] = typer.Option([], "--community", help="Address STIX objects to these."),
    misp_community: str | None = typer.Option(
        None, "--misp-community", help="What MISP distribution 1 means (default: --as only)."
    ),
    config: Path | None = ConfigOption,
) -> None:
    """Import STIX bundles and MISP events or feeds; refusals are reported, the rest stored."""
    services = services_from(config)
    principal = _operator_for(services.store, as_org)
    addressing = Addressing(recipient_org_ids=frozenset(to), community_ids=frozenset(community))
    context = MispImportContext(owner_org_id=as_org, community_id=misp_community)
    with services.store.transaction() as tx:
        known = held_events(tx, as_org, path, FeedOptions())
    stored = refused = 0
    for intake in read_path(path, IntakeOptions(context, known_events=known)):
        if isinstance(intake, InputError):
            err.print(f"[red]skipped:[/red] {escape(str(intake))}")
            continue
        counts = _store(services.store, principal, intake, addressing)
        stored, refused = stored + counts[0], refused + counts[1]
    out.print(f"stored {stored} object versions, refused {refused}")


def _store(
    store: Store, principal: Principal, intake: Intake, addressing: Addressing
) -> tuple[int, int]:
    for problem in intake.problems:
        err.print(f"[yellow]skipped part[/yellow] {escape(problem)}")
    with store.transaction() as tx:
        result = publish_received(
            tx,
            principal,
            intake.submissions,
            StoreDirectory(tx),
            source=intake.source,
            addressing=addressing,
        )
    for failure in result.failures:
        where = escape(f"{intake.source}:{failure.id}")
        err.print(f"[yellow]refused[/yellow] {where}: {escape(failure.message)}")
    return len(result.stored), len(result.failures)


@intel_app.command("export")
@reports_errors
def export(
    for_org: str = typer.Option(..., "--for", help="The organisation the export is for."),
    format_: str = typer.Option("stix", "--format", help="stix, misp or csv."),
    output: Path | None = typer.Option(
        None, "--output", help="File (stix, csv, misp as a JSON list) or folder (a MISP feed)."
    ),
    config: Path | None = ConfigOption,
) -> None:
    """Write what the organisation may receive now (default: to standard output)."""
    if format_ not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}, not {format_!r}")
    services = services_from(config)
    with services.store.transaction() as tx:
        selection = select_for(tx, for_org)
        organisations = {org.id: org for org in tx.organisations.list()}
    if format_ == "stix":
        _write(output, stix_bundle(selection.items) + b"\n")
    elif format_ == "csv":
        _write(output, csv_rows(selection.items).encode())
    else:
        written = misp_events(selection.items, selection.viewer, EXPORT_CHANNEL, organisations)
        for stix_id, reason in sorted(written.skipped.items()):
            err.print(f"[yellow]left out[/yellow] {escape(stix_id)}: {escape(reason)}")
        if output is not None and (output.is_dir() or not output.suffix):
            export_feed(written.events, output)
            out.print(f"wrote a MISP feed of {len(written.events)} events to {output}")
        else:
            _write(output, orjson.dumps(written.events) + b"\n")


def _write(output: Path | None, data: bytes) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot be written: {exc.strerror}", source=str(output)) from exc


@intel_app.command("list")
@reports_errors
def list_(
    for_org: str = typer.Option(..., "--for", help="List what this organisation may see."),
    type_: list[str] = typer.Option([], "--type", help="Only these STIX types."),
    config: Path | None = ConfigOption,
) -> None:
    """List the newest version of each object the organisation may see."""
    services = services_from(config)
    with services.store.transaction() as tx:
        selection = select_for(tx, for_org, IntelQuery(types=tuple(type_)))
    for item in selection.items:
        out.print(f"{item.date_added}  {item.stix_id}  {item.version}")


feeds.register(intel_app)
