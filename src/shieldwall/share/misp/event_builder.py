"""Collects the MISP parts of one exported event, then links references and sightings.

Attributes and objects are made first; relationships (→ ``ObjectReference``) and sightings
(→ attribute ``Sighting`` entries) are placed afterwards, once it is known which STIX ids
became which MISP uuids. A link to something not exported is dropped with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall.share.misp.analyst import opinion_value
from shieldwall.share.misp.audience import Distribution, covers, distribution_fields
from shieldwall.share.misp.context import MispExportContext
from shieldwall.share.misp.export_items import (
    GALAXY_BY_SDO,
    galaxy_entry,
    indicator_attribute,
    make_attribute,
    note_parts,
    observed_attribute,
    observed_object,
    sighting_entry,
)
from shieldwall.share.misp.ids import uuid_of
from shieldwall.share.misp.object_record import recorded_object
from shieldwall.share.misp.tags import export_tags

FALSE_POSITIVE_TEXT = "false positive"


class EventBuilder:
    """The parts of one MISP event under construction."""

    def __init__(
        self,
        event_uuid: str,
        event_dist: Distribution,
        admitted: Mapping[str, Distribution],
        by_id: Mapping[str, Mapping[str, Any]],
        context: MispExportContext,
    ) -> None:
        self.event_uuid = event_uuid
        self._event_dist = event_dist
        self._admitted = admitted
        self._by_id = by_id
        self._context = context
        self.attributes: dict[str, dict[str, Any]] = {}
        self.objects: dict[str, dict[str, Any]] = {}
        self.parts_by_kind: dict[str, list[dict[str, Any]]] = {}
        self.galaxy_tags: list[str] = []
        self.skipped: dict[str, str] = {}
        self._pending: list[Mapping[str, Any]] = []
        self._stix_of_attribute: dict[str, str] = {}

    def add(self, obj: Mapping[str, Any]) -> None:
        """Convert one admitted STIX object (links are kept for :meth:`link`)."""
        kind = str(obj["type"])
        if kind in ("relationship", "sighting", "opinion") or (
            kind == "note" and obj.get("abstract") == "expiration"
        ):
            self._pending.append(obj)
        elif "x_misp_attributes" in obj and kind != "indicator":
            self._recorded(obj)
        elif kind == "indicator":
            self._indicator(obj)
        elif kind == "observed-data":
            self._observed(obj)
        elif kind == "note":
            where, part = note_parts(obj, self.event_uuid)
            if where == "Attribute":
                self._keep_attribute(obj, part)
            else:
                self.parts_by_kind.setdefault(where, []).append({**part, **self._dist(obj)})
        elif kind == "vulnerability":
            self._keep_attribute(obj, make_attribute(obj, "vulnerability", str(obj["name"]), False))
        elif kind in GALAXY_BY_SDO:
            self._galaxy(obj)
        elif "created" in obj:
            self.skipped[str(obj["id"])] = f"{kind} has no MISP counterpart"

    def _dist(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        own = self._admitted[str(obj["id"])]
        return distribution_fields(own, self._event_dist, self._context)

    def _tags(self, obj: Mapping[str, Any]) -> list[dict[str, Any]]:
        made = self._context.descriptors[str(obj["id"])]
        confidence = obj.get("confidence")
        labels = [str(label) for label in obj.get("labels", ())]
        return export_tags(made.tlp, confidence if isinstance(confidence, int) else None, labels)

    def _keep_attribute(self, obj: Mapping[str, Any], attribute: dict[str, Any]) -> None:
        attribute.update(self._dist(obj))
        attribute["Tag"] = self._tags(obj)
        self.attributes[str(obj["id"])] = attribute

    def _indicator(self, obj: Mapping[str, Any]) -> None:
        twin = f"observed-data--{uuid_of(str(obj['id']))}"
        if twin in self._admitted and "x_misp_object_name" in self._by_id[twin]:
            return  # the object's indicator: its observed-data makes the MISP object
        found = indicator_attribute(obj)
        if isinstance(found, str):
            self.skipped[str(obj["id"])] = found
        else:
            self._keep_attribute(obj, found)

    def _observed(self, obj: Mapping[str, Any]) -> None:
        scos = {i: self._by_id[i] for i in obj.get("object_refs", ()) if i in self._admitted}
        attribute = observed_attribute(obj, scos)
        if attribute is not None:
            self._keep_attribute(obj, attribute)
            return
        twin = f"indicator--{uuid_of(str(obj['id']))}"
        found = observed_object(obj, scos, to_ids=twin in self._admitted)
        if isinstance(found, str):
            self.skipped[str(obj["id"])] = found
            return
        found.update(self._dist(obj))
        self.objects[str(obj["id"])] = found
        if twin in self._admitted:
            self.objects[twin] = found

    def _recorded(self, obj: Mapping[str, Any]) -> None:
        """A MISP object that arrived as one: given back whole, in its own words."""
        found = recorded_object(obj)
        if found is None:
            self.skipped[str(obj["id"])] = "its MISP object record is unreadable"
            return
        found.update(self._dist(obj))
        self.objects[str(obj["id"])] = found
        twin = f"indicator--{uuid_of(str(obj['id']))}"
        if twin in self._admitted:
            self.objects[twin] = found

    def _galaxy(self, obj: Mapping[str, Any]) -> None:
        stix_id = str(obj["id"])
        cluster = self._context.galaxy_ids.cluster_uuid(stix_id)
        kept = obj.get("x_misp_cluster_uuid")
        galaxy, tag = galaxy_entry(obj, cluster or (str(kept) if kept else uuid_of(stix_id)))
        self.parts_by_kind.setdefault("Galaxy", []).append(galaxy)
        self.galaxy_tags.append(tag)

    def link(self) -> None:
        """Place relationships, sightings, false positives and expirations."""
        for obj in self._pending:
            reason = self._link_one(obj)
            if reason:
                self.skipped[str(obj["id"])] = reason

    def _link_one(self, obj: Mapping[str, Any]) -> str | None:
        kind = str(obj["type"])
        if kind == "relationship":
            return self._reference(obj)
        if kind == "sighting":
            return self._sighting(obj, 0)
        if kind == "note":
            return self._sighting(obj, 2)
        if FALSE_POSITIVE_TEXT in str(obj.get("explanation", "")).lower():
            return self._sighting(obj, 1)
        return self._opinion(obj)

    def _reference(self, obj: Mapping[str, Any]) -> str | None:
        if obj.get("relationship_type") == "based-on":
            source = self.objects.get(str(obj["source_ref"]))
            if source is not None and source is self.objects.get(str(obj["target_ref"])):
                return None  # an object's own indicator and observation: one MISP object
        source = self.objects.get(str(obj.get("source_ref")))
        target = self.objects.get(str(obj.get("target_ref"))) or self.attributes.get(
            str(obj.get("target_ref"))
        )
        if source is None or target is None:
            return "MISP references go from an exported object to an exported object or attribute"
        if not covers(self._admitted[str(obj["id"])], self._holder(str(obj["source_ref"]))):
            return "the reference's audience is narrower than its object's"
        source.setdefault("ObjectReference", []).append(
            {
                "uuid": uuid_of(str(obj["id"])),
                "referenced_uuid": target["uuid"],
                "relationship_type": str(obj.get("relationship_type", "related-to")),
                "timestamp": source["timestamp"],
            }
        )
        return None

    def _sighting(self, obj: Mapping[str, Any], kind: int) -> str | None:
        entry = sighting_entry(obj, self._by_id, kind)
        target = self._attribute_by_uuid(entry["attribute_uuid"])
        if target is None:
            return "sighting of something not exported as an attribute"
        holder = self._holder(self._stix_of_attribute[entry["attribute_uuid"]])
        if not covers(self._admitted[str(obj["id"])], holder):
            return "the sighting's audience is narrower than its attribute's"
        target.setdefault("Sighting", []).append(entry)
        return None

    def _opinion(self, obj: Mapping[str, Any]) -> str | None:
        refs = [str(r) for r in obj.get("object_refs", ())]
        target = refs[0] if refs else ""
        kind = "Event" if target.startswith(("report--", "grouping--")) else "Attribute"
        if kind == "Attribute" and target not in self.attributes:
            return "opinion about something not exported"
        opinion = {
            "uuid": uuid_of(str(obj["id"])),
            "opinion": opinion_value(str(obj["opinion"])),
            "object_uuid": uuid_of(target) if kind == "Attribute" else self.event_uuid,
            "object_type": kind,
        }
        if obj.get("explanation"):
            opinion["comment"] = str(obj["explanation"])
        opinion.update(self._dist(obj))
        self.parts_by_kind.setdefault("Opinion", []).append(opinion)
        return None

    def _attribute_by_uuid(self, attribute_uuid: str) -> dict[str, Any] | None:
        if len(self._stix_of_attribute) != len(self.attributes):
            self._stix_of_attribute = {a["uuid"]: i for i, a in self.attributes.items()}
        stix_id = self._stix_of_attribute.get(attribute_uuid)
        return None if stix_id is None else self.attributes[stix_id]

    def _holder(self, stix_id: str) -> Distribution:
        """The effective distribution of an exported part: its own within the event's."""
        own = self._admitted.get(stix_id, self._event_dist)
        return own if covers(self._event_dist, own) else self._event_dist

    def parts(self) -> dict[str, list[dict[str, Any]]]:
        """The event's lists, each present only when not empty."""
        unique_objects = list({id(o): o for o in self.objects.values()}.values())
        found = {
            "Attribute": list(self.attributes.values()),
            "Object": unique_objects,
            **self.parts_by_kind,
        }
        return {key: value for key, value in found.items() if value}
