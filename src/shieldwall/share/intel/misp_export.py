"""An export selection as MISP events: one per report or grouping, the rest in one more.

Each event is written by :func:`shieldwall.share.misp.stix_to_misp_event` from the objects'
stored audiences, with an ``include`` that asks the organisation's viewer and the export
channel's egress limit again (the selection already passed both; asking again keeps the
MISP writer honest on its own). What MISP cannot express (TLP:RED, unmarked, ``REL TO``,
recipients with no configured sharing group, M14) is left out and reported with the
reason, never widened. A container's event holds the container, the objects it names,
the relationships between them and the identities they cite; everything no container
names goes to one more event created by the centre.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shieldwall.model.errors import InputError
from shieldwall.model.identity import Organisation
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.egress import Channel, egress_decision
from shieldwall.policy.gate import Viewer
from shieldwall.share.intel.export import Exported
from shieldwall.share.intel.identity import IDENTITY_NAMESPACE, identity_id
from shieldwall.share.misp import MispExportContext, MispOrg, stix_to_misp_event
from shieldwall.share.misp.exporter import CONTAINERS
from shieldwall.share.misp.ids import uuid_of

CENTRE = MispOrg(str(uuid.uuid5(IDENTITY_NAMESPACE, "shieldwall-centre")), "Shieldwall")
"""The organisation the catch-all event is created by."""


@dataclass
class MispExport:
    """The events written and every object left out, with the reason."""

    events: list[dict[str, Any]] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def misp_events(
    items: list[Exported],
    viewer: Viewer,
    channel: Channel,
    organisations: Mapping[str, Organisation],
) -> MispExport:
    """MISP events for the selection (see the module docstring)."""
    by_id = {item.stix_id: item.obj for item in items}
    descriptors = {item.stix_id: item.descriptor for item in items}

    def include(made: ObjectDescriptor) -> bool:
        return viewer.may_receive(made) and egress_decision(channel, made).allowed

    export = MispExport()
    claimed: set[str] = set()
    for container in (o for o in by_id.values() if o["type"] in CONTAINERS):
        members = _members(container, by_id)
        claimed |= members
        orgc = _org_of(descriptors[container["id"]].producer_org_id, organisations)
        context = MispExportContext(descriptors, orgc, include, source=str(container["id"]))
        _convert([by_id[i] for i in members], context, export)
    rest = [o for i, o in by_id.items() if i not in claimed]
    if any(o["type"] not in ("identity", "marking-definition") for o in rest):
        context = MispExportContext(descriptors, CENTRE, include, source="export")
        _convert(rest, context, export)
    return export


def _members(container: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]]) -> set[str]:
    members = {str(container["id"])}
    members.update(ref for ref in container.get("object_refs", ()) if ref in by_id)
    members.update(
        stix_id
        for stix_id, obj in by_id.items()
        if obj["type"] == "relationship"
        and obj.get("source_ref") in members
        and obj.get("target_ref") in members
    )
    cited = {by_id[i].get("created_by_ref") for i in members}
    members.update(ref for ref in cited if isinstance(ref, str) and ref in by_id)
    return members


def _org_of(org_id: str, organisations: Mapping[str, Organisation]) -> MispOrg:
    org = organisations.get(org_id)
    return MispOrg(uuid_of(identity_id(org_id)), org.name if org is not None else org_id)


def _convert(
    objects: Iterable[Mapping[str, Any]], context: MispExportContext, out: MispExport
) -> None:
    try:
        result = stix_to_misp_event(objects, context=context)
    except InputError as exc:
        out.skipped[context.source] = exc.reason
        return
    if result.event:
        out.events.append(result.event)
    out.skipped.update(result.skipped)
