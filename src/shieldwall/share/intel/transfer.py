"""Files in and out of the intelligence store, for the local operator acting for a member.

``import`` *receives* what an organisation brings in from elsewhere (STIX bundles, MISP
events, MISP feed folders): objects keep their own ``created_by_ref`` as provenance, the
organisation is recorded as producer and its audience rules apply (:mod:`.provenance`).
Each bundle or event is stored in its own transaction, so a bad one is reported and the
rest go on. Exports are made *for* an organisation through the same gate and egress rules
as TAXII (:mod:`.export`): what it may receive now, up to TLP:AMBER+STRICT, never unmarked
objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import orjson

from shieldwall.model.errors import InputError
from shieldwall.model.intel import IntelQuery
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.export import (
    EXPORT_CHANNEL,
    Exported,
    csv_rows,
    select_for,
    stix_bundle,
)
from shieldwall.share.intel.intake import Intake, IntakeOptions, held_events, read_path
from shieldwall.share.intel.misp_export import misp_events
from shieldwall.share.intel.org_viewer import org_operator
from shieldwall.share.intel.publish import publish_received
from shieldwall.share.misp import FeedOptions, MispImportContext
from shieldwall.store.protocols import Store

UNMARKED = "unmarked objects are not exported until marked"
"""Why an object its own producer may read is left out of every export (``docs/sharing.md``)."""


class ExportFormat(StrEnum):
    """What ``intel export`` writes."""

    STIX = "stix"
    MISP = "misp"
    CSV = "csv"


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportRequest:
    """What to import, for whom, and how to address it."""

    path: Path
    org_id: str
    addressing: Addressing = field(default_factory=Addressing)
    misp_community: str | None = None
    """What MISP distribution 1 ("this community") means; ``None``: the organisation only."""


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What became of one bundle or event: parts skipped, objects stored or refused."""

    source: str
    problems: tuple[str, ...]
    stored: int
    refusals: tuple[tuple[str, str], ...]
    """(object id, reason) for each refused object."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    """An export's bytes (STIX, CSV), or its MISP events, and what was left out and why."""

    data: bytes = b""
    misp_events: list[dict[str, Any]] = field(default_factory=list)
    left_out: dict[str, str] = field(default_factory=dict)


def import_intel(store: Store, request: ImportRequest) -> Iterator[ImportOutcome | InputError]:
    """Import everything under the path; an unreadable file is yielded as its InputError."""
    with store.transaction() as tx:
        operator = org_operator(tx.organisations.get(request.org_id), request.org_id)
        known = held_events(tx, request.org_id, request.path, FeedOptions())
        default = StoreDirectory(tx).unmarked_default(request.org_id)
    context = MispImportContext(
        owner_org_id=request.org_id, community_id=request.misp_community, unmarked_tlp=default
    )
    for intake in read_path(request.path, IntakeOptions(context, known_events=known)):
        if isinstance(intake, InputError):
            yield intake
            continue
        with store.transaction() as tx:
            result = publish_received(
                tx,
                operator,
                intake.submissions,
                StoreDirectory(tx),
                source=intake.source,
                addressing=request.addressing,
            )
        yield _outcome(intake, len(result.stored), [(f.id, f.message) for f in result.failures])


def _outcome(intake: Intake, stored: int, refusals: list[tuple[str, str]]) -> ImportOutcome:
    return ImportOutcome(intake.source, tuple(intake.problems), stored, tuple(refusals))


def export_intel(store: Store, org_id: str, format_: ExportFormat) -> ExportResult:
    """What the organisation may receive now, in the format asked for."""
    with store.transaction() as tx:
        selection = select_for(tx, org_id)
        organisations = {org.id: org for org in tx.organisations.list()}
    items = [item for item in selection.items if item.descriptor.tlp is not None]
    left_out = {item.stix_id: UNMARKED for item in selection.items if item.descriptor.tlp is None}
    if format_ is ExportFormat.STIX:
        return ExportResult(data=stix_bundle(items) + b"\n", left_out=left_out)
    if format_ is ExportFormat.CSV:
        return ExportResult(data=csv_rows(items).encode(), left_out=left_out)
    written = misp_events(items, selection.viewer, EXPORT_CHANNEL, organisations)
    data = orjson.dumps(written.events) + b"\n"
    left_out.update(written.skipped)
    return ExportResult(data=data, misp_events=written.events, left_out=left_out)


def list_intel(store: Store, org_id: str, types: tuple[str, ...] = ()) -> list[Exported]:
    """The newest version of each object the organisation may see."""
    with store.transaction() as tx:
        return select_for(tx, org_id, IntelQuery(types=types)).items
