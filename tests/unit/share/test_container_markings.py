"""Containers marked like MISP marks them (issue 14): unmarked contents of a marked
grouping or report of the same author take its TLP; bodies are kept as sent."""

from __future__ import annotations

import json
from typing import Any

import orjson
from pymisp import MISPEvent

from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.markings import LEVEL_BY_ID
from shieldwall.share.intel.identity import identity_id
from tests.unit.share.intel_world import MARK, Session, indicator
from tests.unit.share.misp.misp_stix import MISPtoSTIX21Parser


def _misp_stix_bundle() -> list[dict[str, Any]]:
    """What MISP itself exports for a TLP:GREEN event (misp-stix): only the grouping marked."""
    event = MISPEvent()
    event.info = "MISP-style"
    event.uuid = "5e3c2b1a-0000-4000-8000-00000000c001"
    event.add_tag("tlp:green")
    event.add_attribute("ip-dst", "198.51.100.9", to_ids=True)
    event.add_attribute("domain", "c2.example", to_ids=False)
    parser = MISPtoSTIX21Parser()
    parser.parse_misp_event(json.loads(event.to_json()))
    objects: list[dict[str, Any]] = json.loads(parser.bundle.serialize())["objects"]
    return objects


def test_misp_stix_output_imports_and_its_contents_reach_the_containers_audience(
    alpha: Session, bravo: Session
) -> None:
    objects = _misp_stix_bundle()
    grouping = next(o for o in objects if o["type"] == "grouping")
    (marking,) = grouping["object_marking_refs"]
    assert LEVEL_BY_ID[marking] is TlpLevel.GREEN  # misp-stix writes the TLP 1.0 id
    assert all("object_marking_refs" not in o for o in objects if o is not grouping)
    result = alpha.publish(objects)
    assert result.failures == []
    seen_by_bravo = set(bravo.read_ids())
    assert grouping["id"] in seen_by_bravo  # GREEN: every member, contents included
    assert {o["id"] for o in objects if o["type"] in ("indicator", "observed-data")} <= (
        seen_by_bravo
    )
    stored = {v.stix_id: orjson.loads(v.body) for v in result.stored}
    assert stored[grouping["object_refs"][1]] == next(
        o for o in objects if o["id"] == grouping["object_refs"][1]
    )  # kept as sent: the marking is in the stored audience only


def test_a_content_marked_narrower_still_refuses_the_wider_container(alpha: Session) -> None:
    amber = indicator("alpha", tlp="amber")
    report = _report([amber["id"]], MARK["green"])
    result = alpha.publish([report, amber])
    assert [f.id for f in result.failures] == [report["id"]]
    assert "contents require at least TLP:AMBER" in result.failures[0].message


def test_another_authors_unmarked_content_does_not_inherit(alpha: Session, bravo: Session) -> None:
    foreign = indicator("alpha", tlp=None)
    foreign["created_by_ref"] = "identity--0b2f6a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
    report = _report([foreign["id"]], MARK["clear"])
    del report["created_by_ref"]
    alpha.publish([report, foreign])
    assert foreign["id"] not in bravo.read_ids()  # unmarked: alpha's default, not CLEAR


def _report(refs: list[str], marking: str) -> dict[str, Any]:
    return {
        "type": "report",
        "spec_version": "2.1",
        "id": "report--6a1f0000-0000-4000-8000-00000000c0de",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "created_by_ref": identity_id("alpha"),
        "name": "r",
        "published": "2024-01-01T00:00:00.000Z",
        "object_refs": refs,
        "object_marking_refs": [marking],
    }
