"""MISP objects and their references → STIX (M7).

Templates with a STIX home become what misp-stix makes of them: an observed-data over an
SCO graph (:mod:`.templates`: file with its PE parts, domain-ip, ip-port, url, email,
network-connection, registry-key, x509, asn, process, user-account, mutex), or a domain
object (vulnerability, course-of-action); every other template becomes an
``x-misp-object``. Each keeps the object's attributes in MISP's words
(:mod:`.object_record`). When any attribute of an SCO graph is ``to_ids`` an indicator
with the AND of the graph's comparisons is added, ``based-on`` the observed-data.

One bad attribute (a value its type cannot hold, an ssdeep with a line break) is a
problem for that attribute only: the object is made of the rest. A ``pe`` object that a
``file`` includes (with its ``pe-section`` objects) is folded into the file as
``windows-pebinary-ext``, and is kept as its own object as well, so its relations stay.
``ObjectReference`` entries become relationships once every object of the event is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall.model.errors import InputError
from shieldwall.share.misp.audience import read_distribution
from shieldwall.share.misp.fields import Where, records, stix_time, text, timestamp, uuid_text
from shieldwall.share.misp.ids import derived_id
from shieldwall.share.misp.object_record import attribute_record, custom_object, sdo_for
from shieldwall.share.misp.observables import Observable, observable_for
from shieldwall.share.misp.patterns import format_pattern, pattern_errors
from shieldwall.share.misp.scope import EventScope, Sharing
from shieldwall.share.misp.tags import read_tags
from shieldwall.share.misp.templates import SCO_TEMPLATES, Values, file_graph, pe_extension
from shieldwall.share.misp.text import sanitise_text

PE_LINKS = frozenset({"includes", "contains", "included-in"})


def convert_object(
    scope: EventScope,
    obj: Mapping[str, Any],
    where: Where,
    parent: Sharing,
    pe: Mapping[str, Any] | None = None,
) -> None:
    """Convert one MISP object (template instance); ``pe`` is the PE extension it includes."""
    obj_uuid = uuid_text(obj, "uuid", where)
    name = text(obj, "name", where, limit=128)
    audience = read_distribution(obj, where, scope.context, parent.audience)
    sharing = Sharing(audience, read_tags(obj, where, scope.context.limits).under(parent.tags))
    kept = _attributes(scope, obj, where, obj_uuid)
    if not kept:
        scope.problem(where.error(f"{name} object has no attribute that can be read"))
        return
    seconds = timestamp(obj, "timestamp", where, default=0)
    moment = stix_time(seconds) if seconds else scope.event_time
    base: dict[str, Any] = {"spec_version": "2.1", "created": moment, "modified": moment}
    comment = sanitise_text(text(obj, "comment", where, limit=scope.context.limits.max_text_chars))
    if comment:
        base["description"] = comment
    base["x_misp_object_name"] = name
    meta = text(obj, "meta-category", where, limit=128)
    if meta:
        base["x_misp_meta_category"] = meta
    base["x_misp_attributes"] = kept
    values: Values = {}
    for record in kept:
        values.setdefault(str(record["object_relation"]), []).append(str(record["value"]))
    graph = _graph(name, values, pe)
    if graph is not None and graph.scos:
        to_ids = any(record["to_ids"] for record in kept)
        _emit(scope, obj_uuid, graph, to_ids, sharing, base, where)
        return
    made = sdo_for(name, obj_uuid, base) or custom_object(obj_uuid, base)
    scope.stix_by_misp_uuid[obj_uuid] = scope.add(made, sharing)


def _attributes(
    scope: EventScope, obj: Mapping[str, Any], where: Where, obj_uuid: str
) -> list[dict[str, Any]]:
    """The object's readable attributes; each bad one is a problem of its own."""
    kept: list[dict[str, Any]] = []
    limit = scope.context.limits.max_attributes
    for index, attr in enumerate(records(obj, "Attribute", where, limit=limit)):
        here = where.at(f"Attribute[{index}]")
        try:
            record = attribute_record(attr, here, scope.limits_value, obj_uuid)
            _check_value(record, here)
        except InputError as error:
            scope.problem(error)
            continue
        kept.append(record)
    return kept


def _check_value(record: Mapping[str, Any], where: Where) -> None:
    """Refuse a value its MISP type cannot hold (it would spoil the whole graph)."""
    try:
        found = observable_for(str(record["type"]), str(record["value"]))
    except ValueError as error:
        raise where.at("value").error(f"not a valid {record['type']}: {error}") from None
    if found is not None:
        errors = pattern_errors(format_pattern(found.comparisons))
        if errors:
            raise where.at("value").error(f"not a valid {record['type']}: {errors[0]}")


def _graph(name: str, values: Values, pe: Mapping[str, Any] | None) -> Observable | None:
    builder = SCO_TEMPLATES.get(name)
    if builder is None:
        return None
    try:
        return file_graph(values, pe) if name == "file" else builder(values)
    except (ValueError, KeyError, TypeError):
        return None  # not expressible as STIX: the custom object keeps it whole


def _emit(
    scope: EventScope,
    obj_uuid: str,
    graph: Observable,
    to_ids: bool,
    sharing: Sharing,
    base: Mapping[str, Any],
    where: Where,
) -> None:
    moment = str(base["created"])
    for sco in graph.scos:
        scope.add(sco, sharing, sco=True)
    observed_id = f"observed-data--{obj_uuid}"
    scope.add(
        {
            "type": "observed-data",
            "id": observed_id,
            **base,
            "first_observed": moment,
            "last_observed": moment,
            "number_observed": 1,
            "object_refs": [sco["id"] for sco in graph.scos],
        },
        sharing,
    )
    scope.stix_by_misp_uuid[obj_uuid] = observed_id
    if not to_ids or not graph.comparisons:
        return
    pattern = format_pattern(graph.comparisons)
    errors = pattern_errors(pattern)
    if errors:
        scope.problem(where.error(f"pattern {pattern!r} invalid: {errors[0]}"))
        return
    indicator_id = f"indicator--{obj_uuid}"
    indicator = {
        "type": "indicator",
        "id": indicator_id,
        "spec_version": "2.1",
        "created": moment,
        "modified": moment,
        "x_misp_object_name": base["x_misp_object_name"],
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": moment,
    }
    scope.add(indicator, sharing)
    scope.add(
        {
            "type": "relationship",
            "id": derived_id("relationship", obj_uuid, "based-on"),
            "spec_version": "2.1",
            "created": moment,
            "modified": moment,
            "relationship_type": "based-on",
            "source_ref": indicator_id,
            "target_ref": observed_id,
        },
        sharing,
    )
    scope.stix_by_misp_uuid[obj_uuid] = indicator_id


def pe_extensions(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """File object uuid → the ``windows-pebinary-ext`` of the ``pe`` object it includes.

    A PE part whose values do not fit the extension (a section size that is no number) is
    not folded in; it is still kept as its own object.
    """
    by_uuid = {str(obj.get("uuid")): obj for obj in objects}
    sections: dict[str, list[Values]] = {}
    for pe_uuid, section in _links(by_uuid, "pe", "pe-section"):
        sections.setdefault(pe_uuid, []).append(_plain_values(section))
    found: dict[str, dict[str, Any]] = {}
    for file_uuid, pe in _links(by_uuid, "file", "pe"):
        try:
            ext = pe_extension(_plain_values(pe), sections.get(str(pe.get("uuid")), []))
        except ValueError:
            continue
        found.setdefault(file_uuid, ext)
    return found


def _links(
    by_uuid: Mapping[str, dict[str, Any]], source: str, target: str
) -> list[tuple[str, dict[str, Any]]]:
    """(source uuid, target object) for each include between the two kinds, either way."""
    pairs: list[tuple[str, dict[str, Any]]] = []
    for obj in by_uuid.values():
        for ref in obj.get("ObjectReference") or ():
            other = by_uuid.get(str(ref.get("referenced_uuid"))) if isinstance(ref, dict) else None
            if other is None or str(ref.get("relationship_type")) not in PE_LINKS:
                continue
            if obj.get("name") == source and other.get("name") == target:
                pairs.append((str(obj.get("uuid")), other))
            elif obj.get("name") == target and other.get("name") == source:
                pairs.append((str(other.get("uuid")), obj))
    return pairs


def _plain_values(obj: Mapping[str, Any]) -> Values:
    values: Values = {}
    for attr in obj.get("Attribute") or ():
        if isinstance(attr, dict) and isinstance(attr.get("value"), str | int | float):
            values.setdefault(str(attr.get("object_relation")), []).append(str(attr["value"]))
    return values


def convert_references(scope: EventScope, objects: list[dict[str, Any]], where: Where) -> None:
    """Turn every ``ObjectReference`` into a relationship between converted objects."""
    for index, obj in enumerate(objects):
        here = where.at(f"Object[{index}]")
        source = scope.stix_by_misp_uuid.get(str(obj.get("uuid")))
        refs = records(obj, "ObjectReference", here, limit=scope.context.limits.max_objects)
        for ref_index, ref in enumerate(refs):
            ref_where = here.at(f"ObjectReference[{ref_index}]")
            target = scope.stix_by_misp_uuid.get(str(ref.get("referenced_uuid")))
            if source is None or target is None:
                scope.problem(ref_where.error("reference to an object that was not converted"))
                continue
            kind = _relationship_type(text(ref, "relationship_type", ref_where, limit=128))
            ref_uuid = uuid_text(ref, "uuid", ref_where)
            seconds = timestamp(ref, "timestamp", ref_where, default=0)
            moment = stix_time(seconds) if seconds else scope.event_time
            relationship = {
                "type": "relationship",
                "id": f"relationship--{ref_uuid}",
                "spec_version": "2.1",
                "created": moment,
                "modified": moment,
                "relationship_type": kind,
                "source_ref": source,
                "target_ref": target,
            }
            scope.add(relationship, scope.narrowest(source, target))


def _relationship_type(raw: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in raw.strip().lower()).strip("-")
    return cleaned or "related-to"
