"""STIX objects → MISP attributes, objects, clusters, sightings and notes (M13, M19).

Each function takes one STIX object (already admitted by the exporter: audience known,
channel allowed) and returns the MISP piece, or a reason string when the object has no
faithful MISP form. Indicators with a simple pattern become typed attributes; any other
STIX pattern is kept whole as a ``stix2-pattern`` attribute.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall.share.misp.attributes import SIGNATURE_TYPES
from shieldwall.share.misp.fields import epoch_of
from shieldwall.share.misp.ids import uuid_of
from shieldwall.share.misp.patterns import misp_value, parse_simple, sco_comparisons
from shieldwall.share.misp.sco_objects import OBJECT_BY_SCO, object_attributes, object_relations

Objects = Mapping[str, Mapping[str, Any]]
GALAXY_BY_SDO: Mapping[str, str] = {
    "attack-pattern": "mitre-attack-pattern",
    "intrusion-set": "mitre-intrusion-set",
    "threat-actor": "threat-actor",
    "malware": "mitre-malware",
    "tool": "mitre-tool",
    "course-of-action": "mitre-course-of-action",
}


def _common(obj: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "uuid": uuid_of(str(obj["id"])),
        "timestamp": str(epoch_of(str(obj.get("modified") or obj["created"]))),
    }
    if isinstance(obj.get("description"), str):
        fields["comment"] = obj["description"]
    return fields


def make_attribute(
    obj: Mapping[str, Any], misp_type: str, value: str, to_ids: bool
) -> dict[str, Any]:
    """A MISP attribute carrying the STIX object's uuid, time, comment and category."""
    attribute = {**_common(obj), "type": misp_type, "value": value, "to_ids": to_ids}
    category = obj.get("x_misp_category")
    if isinstance(category, str):
        attribute["category"] = category
    return attribute


def indicator_attribute(obj: Mapping[str, Any]) -> dict[str, Any] | str:
    """A typed attribute for a simple pattern, else a ``stix2-pattern`` attribute."""
    pattern = str(obj.get("pattern", ""))
    pattern_type = str(obj.get("pattern_type", "stix"))
    if pattern_type != "stix":
        if pattern_type in SIGNATURE_TYPES:
            return make_attribute(obj, pattern_type, pattern, True)
        return f"pattern type {pattern_type!r} has no MISP attribute type"
    hint = obj.get("x_misp_type")
    comparisons = parse_simple(pattern)
    found = misp_value(comparisons, str(hint) if hint else None) if comparisons else None
    if found is None:
        return make_attribute(obj, "stix2-pattern", pattern, True)
    return make_attribute(obj, found[0], found[1], True)


def observed_attribute(obj: Mapping[str, Any], objects: Objects) -> dict[str, Any] | None:
    """A plain attribute for an observed-data of one simple SCO; None when it is a graph."""
    if "x_misp_object_name" in obj:
        return None
    scos = [objects[r] for r in obj.get("object_refs", ()) if r in objects]
    comparisons = sco_comparisons(scos)
    hint = obj.get("x_misp_type")
    found = misp_value(comparisons, str(hint) if hint else None) if comparisons else None
    return None if found is None else make_attribute(obj, found[0], found[1], False)


def observed_object(
    obj: Mapping[str, Any], objects: Objects, *, to_ids: bool
) -> dict[str, Any] | str:
    """A MISP object for an observed-data's SCO graph."""
    scos = [objects[r] for r in obj.get("object_refs", ()) if r in objects]
    if not scos:
        return "observed-data whose observables are not exported"
    name = str(obj.get("x_misp_object_name") or OBJECT_BY_SCO.get(str(scos[0]["type"]), ""))
    relations = object_relations(scos[0], {str(s["id"]): s for s in scos}, name)
    if not name or not relations:
        return f"no MISP object template for {scos[0]['type']}"
    common = _common(obj)
    return {
        **common,
        "name": name,
        "Attribute": object_attributes(common["uuid"], relations, to_ids),
    }


def note_parts(obj: Mapping[str, Any], event_uuid: str) -> tuple[str, dict[str, Any]]:
    """Where a note goes: ('Attribute', …), ('EventReport', …) or ('Note', …)."""
    misp_type = obj.get("x_misp_type")
    content = str(obj.get("content", ""))
    if isinstance(misp_type, str):
        to_ids = obj.get("x_misp_to_ids") is True
        return "Attribute", make_attribute(obj, misp_type, content, to_ids)
    refs = [str(r) for r in obj.get("object_refs", ())]
    if obj.get("x_misp_event_report") or refs == [f"report--{event_uuid}"]:
        report = {**_common(obj), "name": str(obj.get("abstract") or "report"), "content": content}
        return "EventReport", report
    target = refs[0] if refs else f"report--{event_uuid}"
    kind = "Event" if target.startswith(("report--", "grouping--")) else "Attribute"
    note = {
        "uuid": uuid_of(str(obj["id"])),
        "note": content,
        "object_uuid": uuid_of(target),
        "object_type": kind,
    }
    return "Note", note


def sighting_entry(obj: Mapping[str, Any], objects: Objects, kind: int) -> dict[str, Any]:
    """A MISP sighting; anonymous unless the STIX one names where it was sighted."""
    when = str(obj.get("last_seen") or obj.get("modified") or obj["created"])
    target = str(obj.get("sighting_of_ref") or (obj.get("object_refs") or [""])[0])
    entry: dict[str, Any] = {
        "uuid": uuid_of(str(obj["id"])),
        "type": str(kind),
        "date_sighting": str(epoch_of(when)),
        "attribute_uuid": uuid_of(target),
    }
    where = obj.get("where_sighted_refs") or ()
    identity = objects.get(str(where[0])) if where else None
    if identity is not None and isinstance(identity.get("x_misp_org_uuid"), str):
        entry["Organisation"] = {"uuid": identity["x_misp_org_uuid"], "name": identity["name"]}
    return entry


def galaxy_entry(obj: Mapping[str, Any], cluster_uuid: str) -> tuple[dict[str, Any], str]:
    """A one-cluster Galaxy and the ``misp-galaxy:`` tag that attaches it to the event."""
    galaxy_type = str(obj.get("x_misp_galaxy_type") or GALAXY_BY_SDO[str(obj["type"])])
    meta: dict[str, Any] = {}
    if obj.get("aliases"):
        meta["synonyms"] = list(obj["aliases"])
    refs = obj.get("external_references") or []
    external = [r["external_id"] for r in refs if isinstance(r, dict) and "external_id" in r]
    if external:
        meta["external_id"] = external
    urls = [r["url"] for r in refs if isinstance(r, dict) and "url" in r]
    if urls:
        meta["refs"] = urls
    value = str(obj["name"])
    tag = f'misp-galaxy:{galaxy_type}="{value}"'
    cluster = {
        "uuid": cluster_uuid,
        "value": value,
        "type": galaxy_type,
        "tag_name": tag,
        "description": str(obj.get("description", "")),
        "meta": meta,
    }
    galaxy = {
        "type": galaxy_type,
        "name": galaxy_type,
        "namespace": "misp",
        "GalaxyCluster": [cluster],
    }
    return galaxy, tag
