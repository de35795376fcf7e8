"""`shieldwall intel import|export|list|pull|push`: the intelligence store from the command line.

The local operator acts for an organisation (``--as ORG``, ``--for ORG``). ``import``
*receives* what that organisation brings in from elsewhere: STIX bundles, MISP events and
MISP feed directories (recognised by content). Exports are made *for* an organisation
through the same gate and egress rules as TAXII. The rules are in
:mod:`shieldwall.share.intel.transfer`; this module only parses options and prints.
``pull`` and ``push`` are in :mod:`.feeds`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape

from shieldwall import share
from shieldwall.cli import feeds
from shieldwall.cli.context import ConfigOption, err, out, reports_errors, services_from
from shieldwall.model.errors import InputError

intel_app = typer.Typer(help="The STIX 2.1 intelligence store.", no_args_is_help=True)
FORMATS = tuple(f.value for f in share.ExportFormat)


def register(app: typer.Typer) -> None:
    """Mount `intel` (with `pull` and `push`) on the main app."""
    app.add_typer(intel_app, name="intel")


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
    """Import STIX bundles and MISP events or feeds; refusals are reported, the rest stored.

    Exits 1 when a whole file or event could not be read (the rest is still imported).
    """
    services = services_from(config)
    addressing = share.Addressing(
        recipient_org_ids=frozenset(to), community_ids=frozenset(community)
    )
    request = share.ImportRequest(
        path=path, org_id=as_org, addressing=addressing, misp_community=misp_community
    )
    stored = refused = skipped = 0
    for outcome in share.import_intel(services.store, request):
        if isinstance(outcome, InputError):
            err.print(f"[red]skipped:[/red] {escape(str(outcome))}")
            skipped += 1
            continue
        _report(outcome)
        stored, refused = stored + outcome.stored, refused + len(outcome.refusals)
    out.print(f"stored {stored} object versions, refused {refused}, {skipped} unreadable")
    if skipped:
        raise typer.Exit(1)  # a whole file or event was not read: say so to scripts too


def _report(outcome: share.ImportOutcome) -> None:
    for problem in outcome.problems:
        err.print(f"[yellow]skipped part[/yellow] {escape(problem)}")
    for stix_id, reason in outcome.refusals:
        where = escape(f"{outcome.source}:{stix_id}")
        err.print(f"[yellow]refused[/yellow] {where}: {escape(reason)}")


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
    result = share.export_intel(services.store, for_org, share.ExportFormat(format_))
    for stix_id, reason in sorted(result.left_out.items()):
        err.print(f"[yellow]left out[/yellow] {escape(stix_id)}: {escape(reason)}")
    if format_ == "misp" and output is not None and (output.is_dir() or not output.suffix):
        share.write_misp_feed(result.misp_events, output)
        out.print(f"wrote a MISP feed of {len(result.misp_events)} events to {output}")
    else:
        _write(output, result.data)


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
    for item in share.list_intel(services.store, for_org, tuple(type_)):
        out.print(f"{item.date_added}  {item.stix_id}  {item.version}")


feeds.register(intel_app)
