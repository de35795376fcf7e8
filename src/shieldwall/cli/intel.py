"""`shieldwall intel import|export|list`: the intelligence store from the command line.

The local operator acts for an organisation (``--as ORG``): imported objects are published
by that organisation (their ``created_by_ref`` must be its identity, or absent). Exports
are made *for* an organisation through the same gate and egress rules as TAXII: what that
organisation may receive now, up to TLP:AMBER+STRICT, never unmarked objects.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import typer

from shieldwall.cli.context import ConfigOption, err, out, reports_errors, services_from
from shieldwall.model.errors import InputError, NotFoundError
from shieldwall.model.identity import Principal, Role
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.egress import Channel, ChannelKind
from shieldwall.policy.gate import Viewer
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.publish import publish
from shieldwall.share.intel.read import IntelReader, Served
from shieldwall.store.intel_records import IntelQuery
from shieldwall.store.protocols import Store

intel_app = typer.Typer(help="The STIX 2.1 intelligence store.", no_args_is_help=True)
EXPORT_CHANNEL = Channel("cli-export", ChannelKind.FILE_EXPORT, TlpLevel.AMBER_STRICT)


def register(app: typer.Typer) -> None:
    """Mount `intel` on the main app."""
    app.add_typer(intel_app, name="intel")


def _operator_for(store: Store, org_id: str) -> Principal:
    with store.transaction() as tx:
        org = tx.organisations.get(org_id)
    if org is None:
        raise NotFoundError(f"organisation {org_id} not found")
    return Principal("operator", org.id, Role.ADMIN, org.kind, org.country, org.sectors)


def _bundle_files(path: Path) -> Iterator[Path]:
    if path.is_dir():
        yield from sorted(p for p in path.rglob("*.json") if p.is_file())
    else:
        yield path


def _objects_of(path: Path) -> list[Any]:
    try:
        document = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise InputError(f"not a readable JSON file ({exc})", source=str(path)) from exc
    objects = document.get("objects") if isinstance(document, dict) else None
    if not isinstance(objects, list):
        raise InputError("not a STIX bundle or TAXII envelope", source=str(path))
    return objects


@intel_app.command("import")
@reports_errors
def import_(
    path: Path = typer.Argument(..., exists=True, help="A STIX bundle, or a folder of them."),
    as_org: str = typer.Option(..., "--as", help="The organisation publishing the objects."),
    to: list[str] = typer.Option([], "--to", help="Address to these organisations."),
    community: list[str] = typer.Option([], "--community", help="Address to communities."),
    config: Path | None = ConfigOption,
) -> None:
    """Import STIX 2.1 bundles; invalid objects are reported and the rest are stored."""
    services = services_from(config)
    principal = _operator_for(services.store, as_org)
    addressing = Addressing(recipient_org_ids=frozenset(to), community_ids=frozenset(community))
    stored = refused = 0
    for file in _bundle_files(path):
        try:
            objects = _objects_of(file)
        except InputError as exc:
            err.print(f"[red]skipped:[/red] {exc}")
            continue
        with services.store.transaction() as tx:
            result = publish(
                tx, principal, objects, addressing, StoreDirectory(tx), source=str(file)
            )
        stored += len(result.stored)
        refused += len(result.failures)
        for failure in result.failures:
            err.print(f"[yellow]refused[/yellow] {file}:{failure.id}: {failure.message}")
    out.print(f"stored {stored} object versions, refused {refused}")


def _export_items(store: Store, org_id: str, query: IntelQuery) -> Iterator[Served]:
    principal = _operator_for(store, org_id)
    with store.transaction() as tx:
        directory = StoreDirectory(tx)
        org = directory.organisation(org_id)
        assert org is not None
        parent = directory.organisation(org.parent_id) if org.parent_id else None
        viewer = Viewer(
            directory,
            person_id=None,
            org_id=org.id,
            parent_id=parent.id if parent is not None and parent.active else None,
            country=org.country,
            communities=directory.communities_of(org.id),
        )
        reader = IntelReader(tx, viewer, principal)
        after = 0
        while True:
            page = reader.page(query, after_seq=after, limit=1000, channel=EXPORT_CHANNEL)
            yield from page.items
            if not page.more:
                return
            after = page.last_seq


@intel_app.command("export")
@reports_errors
def export(
    for_org: str = typer.Option(..., "--for", help="The organisation the export is for."),
    format_: str = typer.Option("stix", "--format", help="stix or csv."),
    config: Path | None = ConfigOption,
) -> None:
    """Write what the organisation may receive now, as a STIX bundle or CSV, to stdout."""
    if format_ not in ("stix", "csv"):
        raise InputError("--format must be stix or csv (misp: see shieldwall.share.misp)")
    services = services_from(config)
    items = list(_export_items(services.store, for_org, IntelQuery()))
    if format_ == "stix":
        objects = b",".join(item.body.encode() for item in items)
        bundle = b'{"type":"bundle","id":"bundle--' + _uuid().encode() + b'","objects":['
        sys.stdout.write((bundle + objects + b"]}").decode() + "\n")
        return
    writer = csv.writer(sys.stdout)
    writer.writerow(["id", "type", "version", "date_added", "name", "pattern"])
    for item in items:
        obj = orjson.loads(item.body)
        writer.writerow(
            [
                item.stix_id,
                obj.get("type"),
                item.version,
                item.date_added,
                obj.get("name", ""),
                obj.get("pattern", ""),
            ]
        )


@intel_app.command("list")
@reports_errors
def list_(
    for_org: str = typer.Option(..., "--for", help="List what this organisation may see."),
    type_: list[str] = typer.Option([], "--type", help="Only these STIX types."),
    config: Path | None = ConfigOption,
) -> None:
    """List the newest version of each object the organisation may see."""
    services = services_from(config)
    for item in _export_items(services.store, for_org, IntelQuery(types=tuple(type_))):
        out.print(f"{item.date_added}  {item.stix_id}  {item.version}")


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())
