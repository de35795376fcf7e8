"""A MISP object in its own words, kept with whatever STIX object stands for it (M7).

Every STIX object made from a MISP object (an observed-data over an SCO graph, a
vulnerability, a course of action, or the custom ``x-misp-object`` for templates without a
STIX home) carries ``x_misp_object_name`` and ``x_misp_attributes``: each attribute's
uuid, ``object_relation``, type, value, ``to_ids``, category and comment, in the form
misp-stix gives ``x-misp-object``. The STIX shape says what a STIX reader needs; the record
lets the MISP exporter give the object back whole (membership, relations, per-attribute
``to_ids``, uuids), and it is the only home of attributes no STIX property expresses, so
no attribute ever becomes an anonymous note.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shieldwall.share.misp.fields import Where, epoch_of, flag, optional_uuid, text
from shieldwall.share.misp.ids import attribute_uuid
from shieldwall.share.misp.text import sanitise_text

CUSTOM_TYPE = "x-misp-object"
_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$", re.IGNORECASE)


def attribute_record(
    attr: Mapping[str, Any], where: Where, limit: int, object_uuid: str
) -> dict[str, Any]:
    """One object attribute as MISP said it (InputError at its place when malformed).

    An attribute without a uuid gets the one the exporter would give it (object, relation
    and value), so converting the same object twice gives the same record.
    """
    relation = text(attr, "object_relation", where, limit=128)
    value = text(attr, "value", where, limit=limit)
    record: dict[str, Any] = {
        "uuid": optional_uuid(attr, "uuid", where) or attribute_uuid(object_uuid, relation, value),
        "object_relation": relation,
        "type": text(attr, "type", where, limit=128),
        "value": value,
        "to_ids": flag(attr, "to_ids", where),
    }
    category = text(attr, "category", where, limit=128)
    if category:
        record["category"] = category
    comment = sanitise_text(text(attr, "comment", where, limit=65536))
    if comment:
        record["comment"] = comment
    return record


def custom_object(obj_uuid: str, base: Mapping[str, Any]) -> dict[str, Any]:
    """The ``x-misp-object`` for a template without a STIX home, named as misp-stix names
    its properties (``x_misp_name``, ``x_misp_meta_category``, ``x_misp_attributes``)."""
    made = {"type": CUSTOM_TYPE, "id": f"{CUSTOM_TYPE}--{obj_uuid}", **base}
    made["x_misp_name"] = made.pop("x_misp_object_name")
    return made


def _values(base: Mapping[str, Any]) -> dict[str, str]:
    return {
        str(record["object_relation"]): str(record["value"])
        for record in reversed(base["x_misp_attributes"])
    }


def _vulnerability(obj_uuid: str, base: Mapping[str, Any]) -> dict[str, Any] | None:
    values = _values(base)
    name = values.get("id") or values.get("summary")
    if not name:
        return None
    sdo = {"type": "vulnerability", "id": f"vulnerability--{obj_uuid}", **base, "name": name}
    if values.get("summary") or values.get("description"):
        sdo["description"] = values.get("summary") or values["description"]
    if _CVE.match(values.get("id", "")):
        sdo["external_references"] = [{"source_name": "cve", "external_id": values["id"].upper()}]
    return sdo


def _course_of_action(obj_uuid: str, base: Mapping[str, Any]) -> dict[str, Any] | None:
    values = _values(base)
    if not values.get("name"):
        return None
    sdo = {"type": "course-of-action", "id": f"course-of-action--{obj_uuid}", **base}
    sdo["name"] = values["name"]
    if values.get("description"):
        sdo["description"] = values["description"]
    return sdo


SDO_TEMPLATES = {"vulnerability": _vulnerability, "course-of-action": _course_of_action}
"""Templates that become a STIX domain object, as misp-stix maps them."""


def sdo_for(name: str, obj_uuid: str, base: Mapping[str, Any]) -> dict[str, Any] | None:
    """The SDO for a template with a domain-object home, or None (then: custom object)."""
    builder = SDO_TEMPLATES.get(name)
    return builder(obj_uuid, base) if builder is not None else None


def recorded_object(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    """The MISP object a STIX object stands for, from its record (export); None without one.

    Uuids, relations, types, values, ``to_ids``, categories and comments come back exactly
    as they arrived; the caller adds distribution and references.
    """
    records = obj.get("x_misp_attributes")
    name = obj.get("x_misp_object_name") or obj.get("x_misp_name")
    if not isinstance(records, list) or not isinstance(name, str):
        return None
    attributes = [
        {key: record[key] for key in _RECORD_KEYS if key in record}
        for record in records
        if isinstance(record, dict) and {"object_relation", "type", "value"} <= record.keys()
    ]
    if not attributes:
        return None
    made: dict[str, Any] = {
        "uuid": str(obj["id"]).partition("--")[2],
        "name": name,
        "timestamp": str(epoch_of(str(obj.get("modified") or obj["created"]))),
        "Attribute": attributes,
    }
    meta = obj.get("x_misp_meta_category")
    if isinstance(meta, str):
        made["meta-category"] = meta
    if isinstance(obj.get("description"), str):
        made["comment"] = obj["description"]
    return made


_RECORD_KEYS = ("uuid", "object_relation", "type", "value", "to_ids", "category", "comment")
