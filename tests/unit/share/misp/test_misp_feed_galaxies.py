"""Galaxies in feeds (issue 14): a feed's events carry clusters as ``misp-galaxy:`` tags
only (PyMISP ``to_feed()``); they arrive as the SDOs the clusters stand for."""

from __future__ import annotations

from typing import Any

from pymisp import MISPEvent, MISPOrganisation

from shieldwall.share.misp import misp_event_to_stix
from tests.unit.share.misp.misp_world import import_context, imported, phishing_event

ACTOR = 'misp-galaxy:threat-actor="Sofacy"'
TOOL = 'misp-galaxy:tool="Mimikatz"'
TECHNIQUE = 'misp-galaxy:mitre-attack-pattern="Spearphishing Attachment - T1566.001"'
SECTOR = 'misp-galaxy:sector="Energy"'


def _feed_event() -> dict[str, Any]:
    event = MISPEvent()
    event.info = "feed event"
    event.uuid = "5e3c2b1a-0000-4000-8000-00000000fe01"
    org = MISPOrganisation()
    org.from_dict(uuid="5e3c2b1a-0000-4000-8000-0000000000aa", name="CERT-Example")
    event.Orgc = org
    for tag in ("tlp:green", ACTOR, TOOL, SECTOR):
        event.add_tag(tag)
    attribute = event.add_attribute("domain", "c2.example", to_ids=True)
    attribute.add_tag(TECHNIQUE)
    feed: dict[str, Any] = event.to_feed(with_meta=False)
    return feed


def test_galaxy_tags_of_a_pymisp_feed_event_arrive_as_sdos() -> None:
    document = _feed_event()
    assert "Galaxy" not in document["Event"]  # to_feed() keeps clusters as tags only
    result = misp_event_to_stix(document, context=import_context())
    names = {(o["type"], o.get("name")) for o in result.objects}
    assert ("threat-actor", "Sofacy") in names and ("tool", "Mimikatz") in names
    technique = next(o for o in result.objects if o["type"] == "attack-pattern")
    assert technique["external_references"] == [
        {"source_name": "mitre-attack", "external_id": "T1566.001"}
    ]
    links = {(o["source_ref"], o["target_ref"]) for o in result.by_type("relationship")}
    indicator = result.by_type("indicator")[0]["id"]
    assert (indicator, technique["id"]) in links
    report = result.by_type("report")[0]
    assert SECTOR in report["labels"]  # a galaxy with no STIX home stays a label
    assert {o["id"] for o in result.objects if o["type"] == "threat-actor"} <= set(
        report["object_refs"]
    )


def test_a_tagged_cluster_gives_one_id_in_every_event_and_is_not_doubled() -> None:
    first = misp_event_to_stix(_feed_event(), context=import_context())
    other = _feed_event()
    other["Event"]["uuid"] = "5e3c2b1a-0000-4000-8000-00000000fe02"
    second = misp_event_to_stix(other, context=import_context())
    ids = {o["id"] for o in first.by_type("threat-actor")}
    assert ids == {o["id"] for o in second.by_type("threat-actor")} and len(ids) == 1
    event = phishing_event()  # holds the ATT&CK cluster on an attribute, and now its tag too
    attribute = event["Event"]["Attribute"][0]
    attribute["Tag"] = [{"name": 'misp-galaxy:mitre-attack-pattern="Phishing - T1566"'}]
    result = imported(event)
    assert len(result.by_type("attack-pattern")) == 1
