"""MISP import and export: pure conversion between MISP JSON and STIX 2.1, and feed files.

No database and no HTTP here: the intel store and the CLI call these functions and keep
what they return. The checklist is ``docs/conformance/misp.md`` (M1–M24).

Import::

    context = MispImportContext(owner_org_id="cert-nl", community_id="federation",
                                sharing_groups={sg_uuid: SharingGroupAudience(...)})
    result = misp_event_to_stix(document, context=context)
    result.objects       # STIX 2.1 dicts (report, indicators, SCOs, SDOs, markings …)
    result.descriptors   # STIX id → ObjectDescriptor for the policy gate
    result.problems      # parts skipped, each an InputError naming event and place
    result.local_tags    # local MISP tags per STIX id: keep locally, never export

    for item in read_feed(directory, known={uuid: timestamp, ...}):
        item.event or item.problem    # only events newer than what is held (M2, M3)

Export::

    context = MispExportContext(descriptors=..., orgc=MispOrg(uuid, name),
                                include=lambda d: viewer.may_receive(d) and egress_ok(d),
                                recipient_groups={frozenset({...}): SharingGroupRef(...)})
    exported = stix_to_misp_event(objects, context=context)
    exported.event       # {"Event": {...}} that PyMISP's MISPEvent loads
    exported.skipped     # STIX id → why it was left out (RED, unmarked, not expressible)
    export_feed([exported.event, ...], directory, signer=PgpSigner(home, key_id))

Mapping in short: the event is a ``report`` (``report--<event uuid>``) created by the
identity of ``Orgc``; ``to_ids`` attributes are indicators with validated STIX patterns,
others observed-data over SCOs; known object templates are SCO graphs; galaxy clusters
are SDOs with ids from the galaxy id table; sightings are sightings (false positives
opinions, expirations notes); event reports and analyst notes are notes. Distribution and
sharing groups become recipients and communities, ``tlp:`` tags pinned TLP 2.0 markings,
and the gate intersects the two. Exports never carry TLP:RED, unmarked objects, ``REL TO``
limits or local tags.
"""

from shieldwall.share.misp.audience import Audience
from shieldwall.share.misp.context import (
    ExportResult,
    ImportResult,
    MispExportContext,
    MispImportContext,
    MispOrg,
    SharingGroupAudience,
    SharingGroupRef,
)
from shieldwall.share.misp.exporter import stix_to_misp_event
from shieldwall.share.misp.feed import (
    FeedItem,
    FeedOptions,
    ManifestEntry,
    export_feed,
    read_feed,
    read_manifest,
)
from shieldwall.share.misp.ids import GalaxyIdTable, MemoryGalaxyIdTable
from shieldwall.share.misp.importer import event_identity, misp_event_to_stix
from shieldwall.share.misp.limits import MispLimits, load_json
from shieldwall.share.misp.signature import PgpSigner, PgpVerifier
from shieldwall.share.misp.sync import is_update, load_event_file

__all__ = [
    "Audience",
    "ExportResult",
    "FeedItem",
    "FeedOptions",
    "GalaxyIdTable",
    "ImportResult",
    "ManifestEntry",
    "MemoryGalaxyIdTable",
    "MispExportContext",
    "MispImportContext",
    "MispLimits",
    "MispOrg",
    "PgpSigner",
    "PgpVerifier",
    "SharingGroupAudience",
    "SharingGroupRef",
    "event_identity",
    "export_feed",
    "is_update",
    "load_event_file",
    "load_json",
    "misp_event_to_stix",
    "read_feed",
    "read_manifest",
    "stix_to_misp_event",
]
