"""STIX → MISP export and the round trips (M13–M15, M17, M19–M22)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pymisp import MISPEvent

from shieldwall.model.errors import InputError
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.markings import TLP2_BY_LEVEL
from shieldwall.share.misp import MemoryGalaxyIdTable, misp_event_to_stix, stix_to_misp_event
from shieldwall.share.misp.fields import Where
from shieldwall.share.misp.limits import MispLimits
from shieldwall.share.misp.tags import confidence_tag, read_tags
from tests.unit.share.misp.misp_world import (
    KNOWN_SG,
    KNOWN_SG_ORGS,
    OWNER,
    export_context,
    import_context,
    imported,
    phishing_event,
    validation_errors,
)

REPORT = "report--6a1f0000-0000-4000-8000-000000000001"
CREATED = "2024-05-01T10:00:00.000Z"


def _indicator(uuid_tail: str, pattern: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--6a1f0000-0000-4000-8000-{uuid_tail}",
        "created": CREATED,
        "modified": CREATED,
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": CREATED,
        **extra,
    }


def _report(*refs: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "report",
        "spec_version": "2.1",
        "id": REPORT,
        "created": CREATED,
        "modified": CREATED,
        "published": CREATED,
        "name": "Shared report",
        "object_refs": list(refs),
        **extra,
    }


def _marked(obj: dict[str, Any], level: TlpLevel, **audience: Any) -> ObjectDescriptor:
    return ObjectDescriptor(obj["id"], OWNER, (TLP2_BY_LEVEL[level].id,), **audience)


def _export(
    objects: list[dict[str, Any]], levels: dict[str, ObjectDescriptor], **changes: Any
) -> Any:
    return stix_to_misp_event(objects, context=export_context(levels, **changes))


def _simple_world(
    level: TlpLevel = TlpLevel.CLEAR, **audience: Any
) -> tuple[list[dict[str, Any]], dict[str, ObjectDescriptor]]:
    simple = _indicator("000000000011", "[domain-name:value = 'bad.example']", confidence=80)
    complex_ = _indicator(
        "000000000012", "[ipv4-addr:value = '192.0.2.1'] OR [ipv4-addr:value = '192.0.2.2']"
    )
    report = _report(simple["id"], complex_["id"], labels=["phishing"])
    objects = [report, simple, complex_]
    return objects, {o["id"]: _marked(o, level, **audience) for o in objects}


def test_M13_report_becomes_event_simple_pattern_typed_complex_kept_whole() -> None:
    objects, levels = _simple_world()
    event = _export(objects, levels).event["Event"]
    assert event["uuid"] == "6a1f0000-0000-4000-8000-000000000001"
    found = {a["type"]: a["value"] for a in event["Attribute"]}
    assert found["domain"] == "bad.example"
    assert found["stix2-pattern"].startswith("[ipv4-addr:value = '192.0.2.1'] OR")
    assert all(a["to_ids"] for a in event["Attribute"])


@pytest.mark.parametrize(
    ("level", "audience", "distribution"),
    [
        (TlpLevel.CLEAR, {}, "3"),
        (TlpLevel.GREEN, {}, "1"),
        (TlpLevel.AMBER, {"recipient_org_ids": frozenset({"cert-b"})}, "4"),
        (TlpLevel.AMBER_STRICT, {}, "0"),
    ],
)
def test_M14_distribution_follows_the_audience(
    level: TlpLevel, audience: dict[str, Any], distribution: str
) -> None:
    objects, levels = _simple_world(level, **audience)
    event = _export(objects, levels).event["Event"]
    assert event["distribution"] == distribution
    if distribution == "4":
        assert (event["SharingGroup"]["uuid"], event["sharing_group_id"]) == (KNOWN_SG, "7")


def test_M14_tlp_red_and_unmarked_objects_never_leave() -> None:
    objects, levels = _simple_world(TlpLevel.GREEN)
    levels[objects[1]["id"]] = _marked(objects[1], TlpLevel.RED)
    levels[objects[2]["id"]] = ObjectDescriptor(objects[2]["id"], OWNER)
    result = _export(objects, levels)
    assert "Attribute" not in result.event["Event"]
    assert "TLP:RED" in result.skipped[objects[1]["id"]]
    assert "unmarked" in result.skipped[objects[2]["id"]]


def test_M14_red_report_refuses_the_whole_event() -> None:
    objects, levels = _simple_world(TlpLevel.RED)
    with pytest.raises(InputError, match="TLP:RED"):
        _export(objects, levels)


def test_M14_amber_without_a_matching_sharing_group_is_left_out_not_widened() -> None:
    objects, levels = _simple_world(TlpLevel.GREEN)
    levels[objects[1]["id"]] = _marked(
        objects[1], TlpLevel.AMBER, recipient_org_ids=frozenset({"cert-z"})
    )
    result = _export(objects, levels)
    assert "sharing group" in result.skipped[objects[1]["id"]]


@pytest.mark.parametrize(
    ("level", "tag"),
    [
        (TlpLevel.CLEAR, "tlp:clear"),
        (TlpLevel.GREEN, "tlp:green"),
        (TlpLevel.AMBER_STRICT, "tlp:amber+strict"),
    ],
)
def test_M15_tlp_tags_use_tlp2_names(level: TlpLevel, tag: str) -> None:
    objects, levels = _simple_world(level)
    event = _export(objects, levels).event["Event"]
    assert [t["name"] for t in event["Tag"] if t["name"].startswith("tlp:")] == [tag]


def test_M17_sharing_group_membership_is_shown_only_when_allowed() -> None:
    objects, levels = _simple_world(TlpLevel.AMBER, recipient_org_ids=frozenset({"cert-b"}))
    hidden = _export(objects, levels).event["Event"]["SharingGroup"]
    assert "SharingGroupOrg" not in hidden


def test_M19_confidence_maps_to_the_taxonomy_and_back() -> None:
    objects, levels = _simple_world()
    attribute = next(
        a for a in _export(objects, levels).event["Event"]["Attribute"] if a["type"] == "domain"
    )
    assert confidence_tag(80) in [t["name"] for t in attribute["Tag"]]
    assert read_tags(attribute, Where("t", ""), MispLimits()).confidence == 75
    assert confidence_tag(0) == 'misp:confidence-level="unconfident"'


def test_M20_granular_markings_widen_to_the_most_restrictive_at_object_level() -> None:
    objects, levels = _simple_world(TlpLevel.GREEN)
    objects[1]["granular_markings"] = [
        {"marking_ref": TLP2_BY_LEVEL[TlpLevel.RED].id, "selectors": ["description"]}
    ]
    result = _export(objects, levels)
    assert "TLP:RED" in result.skipped[objects[1]["id"]]


def test_M22_export_loads_in_pymisp_and_round_trips_through_its_json() -> None:
    result = imported()
    exported = _export(result.objects, result.descriptors).event
    event = MISPEvent()
    event.from_dict(**exported)
    assert event.uuid == "5e3c2b1a-0000-4000-8000-000000000001"
    assert len(event.attributes) == 4
    assert [o.name for o in event.objects] == ["file"]
    reloaded = misp_event_to_stix(json.loads(event.to_json()), context=import_context())
    assert reloaded.event_uuid == event.uuid


def _summary(event: dict[str, Any]) -> dict[str, Any]:
    inner = event.get("Event", event)
    return {
        "uuid": inner["uuid"],
        "attributes": sorted(
            (a["type"], a["value"], bool(a.get("to_ids"))) for a in inner.get("Attribute", [])
        ),
        "objects": sorted(
            (o["name"], sorted((a["object_relation"], a["value"]) for a in o["Attribute"]))
            for o in inner.get("Object", [])
        ),
        "tags": sorted(t["name"] for t in inner.get("Tag", []) if not t.get("local")),
        "clusters": sorted(c["uuid"] for g in inner.get("Galaxy", []) for c in g["GalaxyCluster"]),
    }


def test_M21_misp_to_stix_to_misp_keeps_uuid_values_tags_and_clusters() -> None:
    original = phishing_event()
    original["Event"]["Attribute"][1]["distribution"] = "5"  # the unknown SG would stay home
    table = MemoryGalaxyIdTable()
    result = misp_event_to_stix(original, context=import_context(galaxy_ids=table))
    back = _export(result.objects, result.descriptors, galaxy_ids=table).event
    want = _summary(original)
    want["tags"] = sorted(
        [
            *(t for t in want["tags"] if t != "internal:case-42"),
            'misp-galaxy:mitre-attack-pattern="Phishing - T1566"',
            'misp-galaxy:threat-actor="APT Example"',
            'misp-galaxy:sector="Finance"',
        ]
    )
    want["attributes"] = [
        (t, "bold note" if t == "text" else v, i) for t, v, i in want["attributes"]
    ]
    # clusters come back at event level (the attribute's too); the sector one stays a tag
    want["clusters"] = [
        "7d8c1f3e-0000-4000-8000-00000000c001",
        "7d8c1f3e-0000-4000-8000-00000000c002",
    ]
    assert _summary(back) == want


def test_M21_stix_to_misp_to_stix_keeps_ids_patterns_and_markings() -> None:
    objects, levels = _simple_world(TlpLevel.GREEN)
    event = _export(objects, levels).event
    again = misp_event_to_stix(event, context=import_context())
    by_id = {o["id"]: o for o in again.objects}
    for original in objects[1:]:
        assert by_id[original["id"]]["pattern"] == original["pattern"]
        assert by_id[original["id"]]["object_marking_refs"] == [TLP2_BY_LEVEL[TlpLevel.GREEN].id]
    assert by_id[objects[1]["id"]]["confidence"] == 75
    assert REPORT in by_id


def test_M21_exported_then_reimported_bundle_passes_the_validator() -> None:
    result = imported()
    event = _export(result.objects, result.descriptors).event
    again = misp_event_to_stix(event, context=import_context())
    assert validation_errors(again.objects) == []
    assert again.problems == []


def test_M16_include_leaves_out_what_not_every_reader_may_see() -> None:
    objects, levels = _simple_world(TlpLevel.GREEN)
    hidden = objects[2]["id"]
    result = _export(objects, levels, include=lambda d: d.id != hidden)
    assert [a["type"] for a in result.event["Event"]["Attribute"]] == ["domain"]
    assert result.skipped[hidden] == "not for everyone who reads this channel"


def test_M4_known_sharing_group_round_trips_as_that_group() -> None:
    event = phishing_event()
    event["Event"]["Attribute"][1]["SharingGroup"]["uuid"] = KNOWN_SG
    result = imported(event)
    assert (
        result.descriptors["observed-data--5e3c2b1a-0000-4000-8000-000000000102"].recipient_org_ids
        == KNOWN_SG_ORGS
    )
    back = _export(result.objects, result.descriptors).event["Event"]
    domain = next(a for a in back["Attribute"] if a["type"] == "domain")
    assert (domain["distribution"], domain["SharingGroup"]["uuid"]) == ("4", KNOWN_SG)
