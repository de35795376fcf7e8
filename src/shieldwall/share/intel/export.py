"""Exports *for* an organisation: what it may receive now, through the gate and an egress limit.

Selection pages through :class:`~.read.IntelReader` with the organisation's viewer (no
person: TLP:RED never leaves this way) and the export channel, so an export holds exactly
what that organisation would be served over TAXII: the gate, the derived-object rule,
reference stripping and the channel's maximum TLP (unmarked objects go back to their
producer only). Each selected object keeps the audience it is stored with, which the MISP
writer needs to choose distributions (:mod:`.misp_export`).

Formats: a STIX 2.1 bundle (with the TLP 2.0 marking definitions the objects use, so the
bundle stands on its own), CSV (one row per object), MISP events.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from shieldwall.model.intel import IntelQuery
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.descriptor import ObjectDescriptor, marking_refs_of
from shieldwall.policy.egress import Channel, ChannelKind
from shieldwall.policy.gate import Viewer
from shieldwall.policy.markings import PINNED
from shieldwall.share.intel.audience import descriptor_of
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.org_viewer import org_operator, org_viewer_of
from shieldwall.share.intel.read import AuditSink, IntelReader
from shieldwall.store.protocols import UnitOfWork

EXPORT_CHANNEL = Channel("cli-export", ChannelKind.FILE_EXPORT, TlpLevel.AMBER_STRICT)
PAGE = 1000
CSV_COLUMNS = ("id", "type", "version", "date_added", "name", "pattern", "tlp")


@dataclass(frozen=True, slots=True)
class Exported:
    """One object as the organisation may receive it, with its stored audience."""

    stix_id: str
    version: str
    date_added: str
    obj: dict[str, Any]
    descriptor: ObjectDescriptor


@dataclass(frozen=True, slots=True)
class Selection:
    """What an export for one organisation holds, and the viewer that chose it."""

    items: list[Exported]
    viewer: Viewer


def select_for(
    tx: UnitOfWork,
    org_id: str,
    query: IntelQuery | None = None,
    *,
    channel: Channel = EXPORT_CHANNEL,
    operator: str = "operator",
    audit: AuditSink | None = None,
) -> Selection:
    """Every object (newest version) the organisation may receive through ``channel``.

    ``audit``: where the audit records of restricted reads go (the transaction's own log
    by default; a read-only transaction collects them to write after, see
    :func:`.session.written_after`)."""
    directory = StoreDirectory(tx)
    viewer = org_viewer_of(directory, org_id)
    principal = org_operator(directory.organisation(org_id), org_id, operator)
    reader = IntelReader(tx, viewer, principal, audit=audit)
    served = []
    after = 0
    while True:
        page = reader.page(query or IntelQuery(), after_seq=after, limit=PAGE, channel=channel)
        served.extend(page.items)
        if not page.more:
            break
        after = page.last_seq
    audiences = tx.intel.latest_audiences({item.stix_id for item in served})
    items = []
    for item in served:
        held = [descriptor_of(item.stix_id, a) for a in audiences.get(item.stix_id, [])]
        allowed = [d for d in held if viewer.may_receive(d)]
        if allowed:  # several copies (observables): the narrowest one speaks for it
            narrowest = max(allowed, key=_restriction)
            obj = orjson.loads(item.body)
            items.append(Exported(item.stix_id, item.version, item.date_added, obj, narrowest))
    return Selection(items, viewer)


def _restriction(made: ObjectDescriptor) -> int:
    return len(TlpLevel) if made.tlp is None else int(made.tlp)


def stix_bundle(items: list[Exported]) -> bytes:
    """A STIX 2.1 bundle of the objects, with the TLP 2.0 definitions they reference."""
    used = {ref for item in items for ref in marking_refs_of(item.obj)}
    markings = [
        dict(PINNED[ref].canonical)
        for ref in sorted(used)
        if ref in PINNED and PINNED[ref].tlp_version == 2
    ]
    bundle = {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid4()}",
        "objects": [*markings, *(item.obj for item in items)],
    }
    return orjson.dumps(bundle)


def csv_rows(items: list[Exported]) -> str:
    """One CSV row per object: what an analyst's spreadsheet or a blocklist script needs."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow(_row(item))
    return text.getvalue()


def _row(item: Exported) -> Iterator[str]:
    obj = item.obj
    tlp = item.descriptor.tlp
    yield item.stix_id
    yield str(obj.get("type", ""))
    yield item.version
    yield item.date_added
    yield str(obj.get("name", ""))
    yield str(obj.get("pattern", ""))
    yield "" if tlp is None else tlp.label
