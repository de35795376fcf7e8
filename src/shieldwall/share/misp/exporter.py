"""STIX 2.1 objects → one MISP event, audience first (M13–M15, M17–M20, M22).

Every object is admitted before it is converted: it needs a known audience (a descriptor
in the context), the channel's ``include`` must accept it, and MISP must be able to
express its audience (see :mod:`.audience`). Granular markings are folded into the object
level, most restrictive first (M20). What is not admitted is listed in
``ExportResult.skipped`` with the reason; it is never widened to fit. The container (a
``report`` or ``grouping``) becomes the event, keeping its uuid (M18); a container that
cannot be exported refuses the whole event.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from shieldwall.model.errors import InputError
from shieldwall.policy.descriptor import ObjectDescriptor, marking_refs_of
from shieldwall.share.misp.audience import Distribution, distribution_fields, distribution_for
from shieldwall.share.misp.context import ExportResult, MispExportContext
from shieldwall.share.misp.event_builder import EventBuilder
from shieldwall.share.misp.fields import epoch_of
from shieldwall.share.misp.ids import MISP_NAMESPACE, uuid_of
from shieldwall.share.misp.tags import export_tags

CONTAINERS = ("report", "grouping")
_WIDTH = {0: 0, 4: 1, 1: 2, 2: 3, 3: 4}
"""MISP distributions from narrowest to widest (a sharing group counts as narrow)."""


def stix_to_misp_event(
    objects: Iterable[Mapping[str, Any]], *, context: MispExportContext
) -> ExportResult:
    """Convert STIX objects (one report or grouping and its contents) to a MISP event.

    With no container and nothing admitted the result's ``event`` is empty (``{}``): an
    export with nothing to send sends nothing.
    """
    by_id = _index(objects, context.source)
    containers = [o for o in by_id.values() if o["type"] in CONTAINERS]
    if len(containers) > 1:
        raise InputError(
            "several reports or groupings: export each on its own", source=context.source
        )
    container = containers[0] if containers else None
    admitted, skipped = _admit(by_id, context)
    if container is not None and container["id"] not in admitted:
        reason = skipped.get(str(container["id"]), "not admitted")
        raise InputError(
            f"cannot be exported: {reason}", source=context.source, place=str(container["id"])
        )
    if container is None and not admitted:
        return ExportResult({}, skipped)  # nothing to send: no event, rather than an empty one
    event_uuid = _event_uuid(container, by_id, context)
    event_dist = admitted[str(container["id"])] if container else _widest(admitted.values())
    builder = EventBuilder(event_uuid, event_dist, admitted, by_id, context)
    for stix_id in admitted:
        if container is None or stix_id != container["id"]:
            builder.add(by_id[stix_id])
    builder.link()
    event = _event_fields(container, by_id, event_uuid, event_dist, admitted, context)
    event.update(builder.parts())
    event["Tag"] = event["Tag"] + [{"name": t, "local": False} for t in builder.galaxy_tags]
    skipped.update(builder.skipped)
    return ExportResult({"Event": event}, skipped)


def _index(objects: Iterable[Mapping[str, Any]], source: str) -> dict[str, Mapping[str, Any]]:
    by_id: dict[str, Mapping[str, Any]] = {}
    for index, obj in enumerate(objects):
        if not isinstance(obj, Mapping) or not isinstance(obj.get("id"), str):
            raise InputError("STIX object without an id", source=source, place=f"[{index}]")
        if not isinstance(obj.get("type"), str) or not isinstance(
            obj.get("created", obj.get("type")), str
        ):
            raise InputError("STIX object without a type", source=source, place=str(obj["id"]))
        by_id[str(obj["id"])] = obj
    return by_id


def _admit(
    by_id: Mapping[str, Mapping[str, Any]], context: MispExportContext
) -> tuple[dict[str, Distribution], dict[str, str]]:
    admitted: dict[str, Distribution] = {}
    skipped: dict[str, str] = {}
    for stix_id, obj in by_id.items():
        if obj["type"] in ("marking-definition", "identity", "extension-definition"):
            continue
        made = context.descriptors.get(stix_id)
        if made is None:
            skipped[stix_id] = "no audience is known for this object"
            continue
        made = _fold_granular(made, obj, context.source)
        if not context.include(made):
            skipped[stix_id] = "not for everyone who reads this channel"
            continue
        found = distribution_for(made, context)
        if isinstance(found, str):
            skipped[stix_id] = found
        else:
            admitted[stix_id] = found
    return admitted, skipped


def _fold_granular(made: ObjectDescriptor, obj: Mapping[str, Any], source: str) -> ObjectDescriptor:
    """Granular markings count for the whole object (M20): widen the marking, never the data."""
    if not obj.get("granular_markings"):
        return made
    refs = marking_refs_of(obj, source=source)
    return dataclasses.replace(made, marking_refs=(*made.marking_refs, *refs))


def _widest(found: Iterable[Distribution]) -> Distribution:
    ordered = sorted(found, key=lambda d: _WIDTH[d.level])
    return ordered[-1] if ordered else Distribution(0)


def _event_uuid(
    container: Mapping[str, Any] | None, by_id: Mapping[str, Any], context: MispExportContext
) -> str:
    if container is not None:
        return uuid_of(str(container["id"]))
    if context.event_uuid:
        return context.event_uuid
    return str(uuid.uuid5(MISP_NAMESPACE, "|".join(sorted(by_id))))


def _event_fields(
    container: Mapping[str, Any] | None,
    by_id: Mapping[str, Mapping[str, Any]],
    event_uuid: str,
    dist: Distribution,
    admitted: Mapping[str, Distribution],
    context: MispExportContext,
) -> dict[str, Any]:
    times = [epoch_of(str(by_id[i]["modified"])) for i in admitted if "modified" in by_id[i]]
    stamp = max(times) if times else 0
    source = container or {}
    made = context.descriptors.get(str(source.get("id", "")))
    levels = [context.descriptors[i].tlp for i in admitted]
    level = made.tlp if made is not None else max((lv for lv in levels if lv), default=None)
    created = str(source.get("x_misp_date") or source.get("created") or "")
    day = created[:10] or datetime.fromtimestamp(stamp, tz=UTC).date().isoformat()
    labels = [str(label) for label in source.get("labels", ())]
    event: dict[str, Any] = {
        "uuid": event_uuid,
        "info": str(source.get("name") or "Shieldwall export"),
        "date": day,
        "timestamp": str(stamp),
        "published": _published(source),
        "analysis": str(source.get("x_misp_analysis", "2")),
        "threat_level_id": str(source.get("x_misp_threat_level_id", "4")),
        "Orgc": _orgc(source, by_id, context),
        "Tag": export_tags(level, _confidence(source), labels),
    }
    if source.get("published"):
        event["publish_timestamp"] = str(epoch_of(str(source["published"])))
    event.update(distribution_fields(dist, None, context))
    return event


def _published(container: Mapping[str, Any]) -> bool:
    """MISP's flag as the event said it; a STIX report is published, a grouping is not."""
    said = container.get("x_misp_published")
    return said if isinstance(said, bool) else container.get("type") == "report"


def _confidence(obj: Mapping[str, Any]) -> int | None:
    value = obj.get("confidence")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _orgc(
    container: Mapping[str, Any],
    by_id: Mapping[str, Mapping[str, Any]],
    context: MispExportContext,
) -> dict[str, str]:
    creator = by_id.get(str(container.get("created_by_ref", "")))
    if creator is not None and isinstance(creator.get("x_misp_org_uuid"), str):
        return {"uuid": str(creator["x_misp_org_uuid"]), "name": str(creator.get("name", ""))}
    return {"uuid": context.orgc.uuid, "name": context.orgc.name}
