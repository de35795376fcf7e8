"""Untagged MISP events (issue 14): the importer's default marking, a report that names its
parts, and exports that send nothing rather than an empty event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.markings import TLP2_BY_LEVEL
from shieldwall.share.intel.intake import Intake, IntakeOptions, read_path
from shieldwall.share.misp import stix_to_misp_event
from tests.unit.share.misp.misp_world import (
    OWNER,
    export_context,
    import_context,
    imported,
    phishing_event,
)

EVENT_UUID = "5e3c2b1a-0000-4000-8000-000000000001"


def _untagged(**changes: Any) -> dict[str, Any]:
    event = phishing_event()
    event["Event"]["Tag"] = [{"name": "phishing"}]
    for attribute in event["Event"]["Attribute"]:
        attribute.pop("Tag", None)
        attribute["distribution"] = "5"
    for obj in event["Event"].get("Object", ()):
        obj.pop("Tag", None)
        obj["distribution"] = "5"
    event["Event"].update(changes)
    return event


@pytest.mark.parametrize("default", [TlpLevel.GREEN, TlpLevel.AMBER, TlpLevel.AMBER_STRICT])
def test_an_untagged_event_and_every_part_take_the_importers_default(default: TlpLevel) -> None:
    result = imported(_untagged(), unmarked_tlp=default)
    marking = TLP2_BY_LEVEL[default].id
    for obj in result.objects:
        assert result.descriptors[obj["id"]].tlp is not None, obj["id"]
        if obj["type"] in ("marking-definition", "sighting", "opinion", "identity"):
            continue  # sightings and their organisations: tlp.md rule c, AMBER+STRICT
        if "created" in obj:
            assert obj.get("object_marking_refs") == [marking], obj["id"]


def test_a_tag_narrower_than_the_default_still_wins_on_its_part() -> None:
    event = _untagged()
    event["Event"]["Attribute"][0]["Tag"] = [{"name": "tlp:red"}]
    result = imported(event, unmarked_tlp=TlpLevel.GREEN)
    first = event["Event"]["Attribute"][0]["uuid"]
    assert result.descriptors[f"indicator--{first}"].tlp is TlpLevel.RED
    assert result.descriptors[f"report--{EVENT_UUID}"].tlp is TlpLevel.GREEN


def _intake(tmp_path: Path, event: dict[str, Any], **changes: Any) -> Intake:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    found = list(read_path(path, IntakeOptions(import_context(**changes))))
    assert len(found) == 1 and isinstance(found[0], Intake)
    return found[0]


def test_the_report_of_an_untagged_event_names_every_part(tmp_path: Path) -> None:
    intake = _intake(tmp_path, _untagged(distribution="0"))
    report = next(s.obj for s in intake.submissions if s.obj["type"] == "report")
    parts = {
        s.obj["id"]
        for s in intake.submissions
        if s.obj["type"] not in ("report", "marking-definition", "sighting", "opinion")
        and s.obj.get("spec_version")
    }
    assert parts - {report["id"]} <= set(report["object_refs"])
    assert len(report["object_refs"]) > 10
    assert not [p for p in intake.problems if "more narrowly" in p]


def test_a_part_addressed_to_the_owner_alone_reaches_an_amber_strict_report(
    tmp_path: Path,
) -> None:
    event = _untagged(distribution="3")
    event["Event"]["Attribute"][0]["distribution"] = "0"  # the owner only, like STRICT
    intake = _intake(tmp_path, event)
    report = next(s.obj for s in intake.submissions if s.obj["type"] == "report")
    assert f"indicator--{event['Event']['Attribute'][0]['uuid']}" in report["object_refs"]


def test_a_part_narrower_than_a_green_report_is_still_left_out(tmp_path: Path) -> None:
    event = _untagged(distribution="3", Tag=[{"name": "tlp:green"}])
    event["Event"]["Attribute"][0]["distribution"] = "0"
    intake = _intake(tmp_path, event)
    report = next(s.obj for s in intake.submissions if s.obj["type"] == "report")
    assert f"indicator--{event['Event']['Attribute'][0]['uuid']}" not in report["object_refs"]
    assert [p for p in intake.problems if "more narrowly" in p]


def test_an_export_with_nothing_admitted_sends_no_event() -> None:
    indicator = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--6a1f0000-0000-4000-8000-000000000099",
        "created": "2024-05-01T10:00:00.000Z",
        "modified": "2024-05-01T10:00:00.000Z",
        "pattern": "[domain-name:value = 'a.example']",
        "pattern_type": "stix",
        "valid_from": "2024-05-01T10:00:00.000Z",
    }
    unmarked = {indicator["id"]: ObjectDescriptor(indicator["id"], OWNER)}
    result = stix_to_misp_event([indicator], context=export_context(unmarked))
    assert result.event == {}
    assert result.skipped == {indicator["id"]: "unmarked objects are not exported until marked"}


def test_one_bad_cluster_sighting_or_report_never_drops_its_event() -> None:
    event = phishing_event()
    inner = event["Event"]
    inner["Galaxy"] = [
        {
            "type": "threat-actor",
            "GalaxyCluster": [
                {"uuid": "", "value": "Broken"},
                {"uuid": "7d8c1f3e-0000-4000-8000-00000000c0aa", "value": "APT Example"},
            ],
        },
        {"type": ["not", "text"], "GalaxyCluster": []},
    ]
    inner["Sighting"] = [
        {"uuid": "not-a-uuid", "type": "0", "attribute_uuid": inner["Attribute"][0]["uuid"]}
    ]
    inner["EventReport"] = [{"uuid": "", "name": "x", "content": "y"}]
    result = imported(event)
    names = {obj.get("name") for obj in result.objects}
    assert "APT Example" in names and "Broken" not in names
    assert f"report--{EVENT_UUID}" in {obj["id"] for obj in result.objects}
    places = {problem.place for problem in result.problems}
    assert {
        "Event.Galaxy[0].GalaxyCluster[0].uuid",
        "Event.Galaxy[1].type",
        "Event.Sighting[0].uuid",
        "Event.EventReport[0].uuid",
    } <= places


def test_a_restsearch_response_is_read_as_a_list_of_events(tmp_path: Path) -> None:
    first, second = phishing_event(), phishing_event()
    second["Event"]["uuid"] = "5e3c2b1a-0000-4000-8000-0000000000f2"
    path = tmp_path / "search.json"
    path.write_text(json.dumps({"response": [first, second]}))
    found = list(read_path(path, IntakeOptions(import_context())))
    assert [type(item) for item in found] == [Intake, Intake]
    assert [item.source for item in found if isinstance(item, Intake)] == [
        f"{path}[0]",
        f"{path}[1]",
    ]
