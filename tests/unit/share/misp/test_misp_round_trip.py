"""MISP → Shieldwall → MISP over the project's template event (issue 14): values, ``to_ids``,
relations, object membership, galaxies, markings and ``published`` survive; every STIX
object passes stix2-validator on its own and every export loads in PyMISP."""

from __future__ import annotations

import json
from typing import Any

import pytest
import stix2validator
from pymisp import MISPEvent

from shieldwall.share.misp import ImportResult, misp_event_to_stix, stix_to_misp_event
from tests.unit.share.misp.misp_stix import MISPtoSTIX21Parser
from tests.unit.share.misp.misp_world import FIXTURES, export_context, import_context


def _fixture(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return document


def _round_trip(name: str) -> tuple[dict[str, Any], ImportResult, MISPEvent]:
    original = _fixture(name)
    result = misp_event_to_stix(original, context=import_context())
    exported = stix_to_misp_event(result.objects, context=export_context(result.descriptors))
    again = MISPEvent()
    again.load(exported.event)  # PyMISP reads what Shieldwall writes
    return original["Event"], result, again


@pytest.mark.parametrize("name", ["event_templates.json", "event_phishing.json"])
def test_every_imported_object_passes_stix2_validator_on_its_own(name: str) -> None:
    _, result, _ = _round_trip(name)
    for obj in result.objects:
        outcome = stix2validator.validate_instance(obj, stix2validator.ValidationOptions())
        assert [str(e) for e in outcome.errors] == [], obj["id"]


def test_objects_come_back_whole_with_their_attributes_and_references() -> None:
    event, result, again = _round_trip("event_templates.json")
    assert result.problems == []
    sent = {o["uuid"]: o for o in event["Object"]}
    back = {o.uuid: o for o in again.objects}
    assert back.keys() == sent.keys()
    for object_uuid, obj in sent.items():
        mine = back[object_uuid]
        assert mine.name == obj["name"]
        expected = {
            (a["uuid"], a["object_relation"], a["type"], a["value"], a["to_ids"])
            for a in obj["Attribute"]
        }
        got = {(a.uuid, a.object_relation, a.type, a.value, a.to_ids) for a in mine.attributes}
        assert got == expected, obj["name"]
        refs = {(r["referenced_uuid"], r["relationship_type"]) for r in obj["ObjectReference"]}
        assert {(r.referenced_uuid, r.relationship_type) for r in mine.references} == refs


def test_attributes_keep_type_value_and_to_ids_and_the_event_its_flags() -> None:
    event, _, again = _round_trip("event_templates.json")
    back = {a.uuid: a for a in again.attributes}
    for attribute in event["Attribute"]:
        mine = back[attribute["uuid"]]
        assert (mine.type, mine.to_ids) == (attribute["type"], attribute["to_ids"])
        if attribute["type"] != "regkey|value":  # STIX writes the hive out (HKEY_LOCAL_MACHINE)
            assert mine.value == attribute["value"]
    assert again.published is True
    assert {t.name for t in again.tags} >= {"tlp:green", "type:OSINT"}
    clusters = {c.value for g in again.galaxies for c in g.clusters}
    assert {"Sandworm", "Spearphishing Attachment - T1566.001"} <= clusters


@pytest.mark.parametrize("name", ["event_templates.json", "event_phishing.json"])
def test_every_export_converts_with_misp_stix(name: str) -> None:
    again = _round_trip(name)[2]
    parser = MISPtoSTIX21Parser()
    parser.parse_misp_event(json.loads(again.to_json()))
    converted = json.loads(parser.bundle.serialize())["objects"]
    containers = [o for o in converted if o["type"] in ("report", "grouping")]
    assert len(containers) == 1
    assert len(containers[0]["object_refs"]) >= len(again.attributes) + len(again.objects)
