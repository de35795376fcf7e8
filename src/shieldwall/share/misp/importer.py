"""One MISP event → STIX 2.1 objects with their audiences (M1, M3–M12, M24).

The event becomes a ``report`` whose id is ``report--<event uuid>`` (so an update of the
same uuid is a new version of the same report, M3), produced by the identity of the
event's ``Orgc`` (M24). Each attribute, object, cluster, sighting and note is converted
on its own: a bad one is reported in ``ImportResult.problems`` and the rest go on, while a
malformed event as a whole (no uuid, no ``Orgc``, beyond the limits) is refused with an
InputError naming the event and the place.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from shieldwall.model.errors import InputError
from shieldwall.share.misp.analyst import convert_analyst_data, convert_reports, convert_sightings
from shieldwall.share.misp.attributes import attribute_sharing, convert_attribute
from shieldwall.share.misp.audience import read_distribution
from shieldwall.share.misp.context import ImportResult, MispImportContext
from shieldwall.share.misp.fields import (
    Where,
    day,
    flag,
    mapping,
    records,
    stix_time,
    text,
    timestamp,
    uuid_text,
)
from shieldwall.share.misp.galaxies import convert_galaxies
from shieldwall.share.misp.ids import derived_id, org_identity_id
from shieldwall.share.misp.limits import check_count, check_depth
from shieldwall.share.misp.objects import convert_object, convert_references, pe_extensions
from shieldwall.share.misp.scope import EventScope, Sharing
from shieldwall.share.misp.tags import TagSet, read_tags
from shieldwall.share.misp.text import sanitise_text


def unwrap_event(document: Any, *, source: str) -> dict[str, Any]:
    """The event object of ``{"Event": {...}}`` (or of a bare event)."""
    if not isinstance(document, dict):
        raise InputError("a MISP event must be a JSON object", source=source)
    inner = document.get("Event", document)
    if not isinstance(inner, dict):
        raise InputError("Event must be a JSON object", source=source, place="Event")
    return inner


def event_identity(document: Any, *, source: str) -> tuple[str, int]:
    """The (uuid, timestamp) of an event: what incremental sync compares (M2, M3)."""
    event = unwrap_event(document, source=source)
    where = Where(source, "Event")
    return uuid_text(event, "uuid", where), timestamp(event, "timestamp", where)


def misp_event_to_stix(document: Mapping[str, Any], *, context: MispImportContext) -> ImportResult:
    """Convert one MISP event; see :mod:`shieldwall.share.misp` for the mapping."""
    limits = context.limits
    event = unwrap_event(document, source=context.source)
    probe = Where(context.source or str(event.get("uuid", ""))[:64], "Event")
    check_depth(event, max_depth=limits.max_depth, source=probe.source)
    event_uuid = uuid_text(event, "uuid", probe)
    where = Where(context.source or f"event {event_uuid}", "Event")
    scope = _start(event, event_uuid, where, context)
    _convert_contents(scope, event, where)
    _finish(scope, event, where)
    return scope.result


def _start(
    event: Mapping[str, Any], event_uuid: str, where: Where, context: MispImportContext
) -> EventScope:
    seconds = timestamp(event, "timestamp", where)
    orgc = mapping(event, "Orgc", where) or mapping(event, "Org", where)
    if not orgc:
        raise where.at("Orgc").error("the event names no creator organisation (Orgc)")
    org_uuid = uuid_text(orgc, "uuid", where.at("Orgc"))
    tags = read_tags(event, where, context.limits)
    # the event's local tags belong to the report alone, not to what inherits from it
    # an untagged event takes its importer's default marking, and its parts inherit it
    level = tags.tlp if tags.tlp is not None else context.unmarked_tlp
    sharing = Sharing(
        read_distribution(event, where, context, None),
        TagSet(tlp=level, confidence=tags.confidence, labels=tags.labels),
    )
    result = ImportResult(event_uuid, seconds, org_uuid)
    if tags.local:
        result.local_tags[f"report--{event_uuid}"] = tags.local
    scope = EventScope(
        context,
        result,
        org_identity_id(org_uuid),
        f"report--{event_uuid}",
        stix_time(seconds),
        sharing,
    )
    identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": scope.creator_id,
        "created": scope.event_time,
        "modified": scope.event_time,
        "name": sanitise_text(text(orgc, "name", where.at("Orgc"), limit=1024)) or org_uuid,
        "identity_class": "organization",
        "x_misp_org_uuid": org_uuid,
    }
    scope.add(identity, sharing, creator=None)
    return scope


def _convert_contents(scope: EventScope, event: Mapping[str, Any], where: Where) -> None:
    limits = scope.context.limits
    attributes = records(event, "Attribute", where, limit=limits.max_attributes)
    objects = records(event, "Object", where, limit=limits.max_objects)
    nested = sum(len(o.get("Attribute") or ()) for o in objects)
    check_count(
        len(attributes) + nested,
        limits.max_attributes,
        "attributes",
        source=where.source,
        place="Event",
    )
    for index, attr in enumerate(attributes):
        _guarded(scope, _attribute, attr, where.at(f"Attribute[{index}]"))
    pe_parts = pe_extensions(objects)
    for index, obj in enumerate(objects):
        here = where.at(f"Object[{index}]")
        pe = pe_parts.get(str(obj.get("uuid")))
        _guarded(scope, functools.partial(_object, pe=pe), obj, here)
    convert_references(scope, objects, where)


def _object(
    scope: EventScope, obj: Mapping[str, Any], where: Where, pe: dict[str, Any] | None
) -> None:
    convert_object(scope, obj, where, scope.sharing, pe)


def _guarded(scope: EventScope, convert: Any, item: Mapping[str, Any], where: Where) -> None:
    """Run one part's conversion; an InputError skips that part only."""
    try:
        convert(scope, item, where)
    except InputError as error:
        scope.problem(error)


def _attribute(scope: EventScope, attr: Mapping[str, Any], where: Where) -> None:
    stix_id = convert_attribute(scope, attr, where, scope.sharing)
    if stix_id is None:
        return
    sharing = attribute_sharing(scope, attr, where, scope.sharing)
    sdo_ids, _labels = convert_galaxies(scope, attr, where, sharing)
    kind = "indicates" if stix_id.startswith("indicator--") else "related-to"
    for sdo_id in sdo_ids:
        scope.add(
            {
                "type": "relationship",
                "id": derived_id("relationship", stix_id, sdo_id),
                "spec_version": "2.1",
                "created": scope.event_time,
                "modified": scope.event_time,
                "relationship_type": kind,
                "source_ref": stix_id,
                "target_ref": sdo_id,
            },
            sharing,
        )
    convert_sightings(scope, attr, where, stix_id)
    convert_analyst_data(scope, attr, where, stix_id, sharing)


def _finish(scope: EventScope, event: Mapping[str, Any], where: Where) -> None:
    _, labels = convert_galaxies(scope, event, where, scope.sharing)
    convert_sightings(scope, event, where, None)
    convert_reports(scope, event, where)
    convert_analyst_data(scope, event, where, scope.report_id, scope.sharing)
    scope.add(_report(scope, event, where, labels), scope.sharing)


def _report(
    scope: EventScope, event: Mapping[str, Any], where: Where, labels: list[str]
) -> dict[str, Any]:
    limits = scope.context.limits
    published = timestamp(event, "publish_timestamp", where, default=0)
    date = day(event, "date", where)
    created = scope.event_time
    if date is not None:
        start = datetime(date.year, date.month, date.day, tzinfo=UTC)
        created = min(created, start.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    refs = [obj["id"] for obj in scope.result.objects if obj["type"] != "marking-definition"]
    info = sanitise_text(text(event, "info", where, limit=limits.max_text_chars))
    report: dict[str, Any] = {
        "type": "report",
        "spec_version": "2.1",
        "id": scope.report_id,
        "created": created,
        "modified": scope.event_time,
        "name": info or f"MISP event {scope.result.event_uuid}",
        "published": stix_time(published) if published else scope.event_time,
        "report_types": ["threat-report"],
        "object_refs": refs,
    }
    all_labels = [*scope.sharing.tags.labels, *labels]
    if all_labels:
        report["labels"] = list(dict.fromkeys(all_labels))
    if scope.sharing.tags.confidence is not None:
        report["confidence"] = scope.sharing.tags.confidence
    for key in ("threat_level_id", "analysis"):
        value = text(event, key, where, limit=8)
        if value:
            report[f"x_misp_{key}"] = value
    if date is not None:
        report["x_misp_date"] = date.isoformat()
    report["x_misp_published"] = flag(event, "published", where)
    return report
