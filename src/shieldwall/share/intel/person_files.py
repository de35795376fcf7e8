"""Files in and out of the intelligence store for a signed-in person (the web console).

The command line's ``intel import`` and ``intel export`` act for an organisation as its
operator (:mod:`.transfer`); a person uploading or downloading a file in the console acts
as themself, so the permission table and the gate are asked for *that person*:

- an upload is what the person's organisation *receives* from elsewhere, read by content
  like ``intel import`` (a STIX 2.1 bundle, a MISP event or a list of events), and published
  with :func:`~.publish.publish_received` under the person's principal (audited as them).
  The whole file is read before anything is written: a file that cannot be read, or any
  event in it, refuses the upload with the file and the place named, and nothing is stored;
  otherwise everything is published in one transaction, each refused object with its reason.
- a download holds what the person may receive now through the file-export channel (the
  same egress maximum as ``intel export``: up to TLP:AMBER+STRICT, never unmarked objects),
  with the page's filters; serving restricted versions is audited as any read is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from shieldwall.model.errors import InputError
from shieldwall.model.identity import Principal
from shieldwall.model.intel import IntelQuery
from shieldwall.policy.roles import Action, authorise
from shieldwall.share.intel.audience import Addressing, descriptor_of
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.export import EXPORT_CHANNEL, Exported, csv_rows, stix_bundle
from shieldwall.share.intel.intake import Intake, IntakeOptions, read_bytes
from shieldwall.share.intel.misp_export import misp_events
from shieldwall.share.intel.publish import publish_received
from shieldwall.share.intel.read import IntelReader, Served, audit_restricted
from shieldwall.share.intel.session import intel_session
from shieldwall.share.intel.transfer import UNMARKED, ExportFormat, ExportResult, ImportOutcome
from shieldwall.share.misp import MispImportContext
from shieldwall.store.protocols import Store

MAX_EXPORT = 10_000
"""A download holds at most this many objects (``capped`` says when more matched)."""
_PAGE = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class Upload:
    """One uploaded file and how to address what it holds."""

    name: str
    data: bytes
    max_bytes: int
    addressing: Addressing = field(default_factory=Addressing)
    misp_community: str | None = None


@dataclass(frozen=True, slots=True)
class Download:
    """A download's bytes, what was left out and why, and whether the cap cut it."""

    result: ExportResult
    count: int
    capped: bool


def import_upload(store: Store, who: Principal, upload: Upload) -> list[ImportOutcome]:
    """Publish an uploaded file as received by the person's organisation (see module doc)."""
    authorise(who, Action.INTEL_PUBLISH, who.org_id)
    source = upload.name or "upload"
    with store.reading() as tx:
        directory = StoreDirectory(tx)
        default = directory.unmarked_default(who.org_id)
        unknown = [o for o in upload.addressing.recipient_org_ids if not directory.organisation(o)]
    if unknown:
        raise InputError(f"no organisation {sorted(unknown)[0]!r}", source=source, place="to")
    context = MispImportContext(
        owner_org_id=who.org_id, community_id=upload.misp_community, unmarked_tlp=default
    )
    intakes: list[Intake] = []
    for intake in read_bytes(upload.data, source, IntakeOptions(context), upload.max_bytes):
        if isinstance(intake, InputError):
            raise intake  # nothing is written for a file that cannot be read whole
        intakes.append(intake)
    outcomes = []
    with store.transaction() as tx:
        directory = StoreDirectory(tx)
        for intake in intakes:
            result = publish_received(
                tx,
                who,
                intake.submissions,
                directory,
                source=f"console:{intake.source}",
                addressing=upload.addressing,
            )
            refusals = tuple((f.id, f.message) for f in result.failures)
            outcomes.append(
                ImportOutcome(intake.source, tuple(intake.problems), len(result.stored), refusals)
            )
    return outcomes


def export_download(
    store: Store, who: Principal, query: IntelQuery, format_: ExportFormat
) -> Download:
    """What the person may receive now through the export channel, in ``format_``."""
    with intel_session(store, who) as session:
        served, capped = _select(session.reader, query)
        audit_restricted(session.reader.audit, who, served, "intel.export-restricted")
        audiences = session.tx.intel.latest_audiences({item.stix_id for item in served})
        items = []
        for item in served:
            held = [descriptor_of(item.stix_id, a) for a in audiences.get(item.stix_id, [])]
            allowed = [d for d in held if session.viewer.may_receive(d)]
            if allowed:  # several copies (observables): the narrowest one speaks for it
                narrowest = max(allowed, key=lambda d: 99 if d.tlp is None else int(d.tlp))
                obj = orjson.loads(item.body)
                items.append(Exported(item.stix_id, item.version, item.date_added, obj, narrowest))
        organisations = {org.id: org for org in session.tx.organisations.list()}
        viewer = session.viewer
    kept = [item for item in items if item.descriptor.tlp is not None]
    left_out = {item.stix_id: UNMARKED for item in items if item.descriptor.tlp is None}
    if format_ is ExportFormat.STIX:
        data = stix_bundle(kept) + b"\n"
        return Download(ExportResult(data=data, left_out=left_out), len(kept), capped)
    if format_ is ExportFormat.CSV:
        data = csv_rows(kept).encode()
        return Download(ExportResult(data=data, left_out=left_out), len(kept), capped)
    written = misp_events(kept, viewer, EXPORT_CHANNEL, organisations)
    left_out.update(written.skipped)
    result = ExportResult(orjson.dumps(written.events) + b"\n", written.events, left_out)
    return Download(result, len(kept), capped)


def _select(reader: IntelReader, query: IntelQuery) -> tuple[list[Served], bool]:
    served: list[Served] = []
    after = 0
    while len(served) < MAX_EXPORT:
        got = reader.page(query, after_seq=after, limit=_PAGE, channel=EXPORT_CHANNEL)
        served.extend(got.items)
        if not got.more:
            return served[:MAX_EXPORT], len(served) > MAX_EXPORT
        after = got.last_seq
    return served[:MAX_EXPORT], True
