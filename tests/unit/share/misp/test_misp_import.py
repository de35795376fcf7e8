"""MISP event → STIX import, item by item of docs/conformance/misp.md."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pymisp import MISPAttribute, MISPEvent, MISPObject, MISPOrganisation

from shieldwall.model.errors import InputError
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.markings import TLP2_BY_LEVEL
from shieldwall.share.misp import MispLimits, misp_event_to_stix
from shieldwall.share.misp.ids import MemoryGalaxyIdTable, org_identity_id
from tests.unit.share.misp.misp_world import (
    KNOWN_SG,
    KNOWN_SG_ORGS,
    OWNER,
    by_id,
    import_context,
    imported,
    phishing_event,
    validation_errors,
)

EVENT_UUID = "5e3c2b1a-0000-4000-8000-000000000001"
IP_ATTR = "5e3c2b1a-0000-4000-8000-000000000101"
DOMAIN_ATTR = "5e3c2b1a-0000-4000-8000-000000000102"
HASH_ATTR = "5e3c2b1a-0000-4000-8000-000000000103"


def _attr(misp_type: str, value: str, *, to_ids: bool = True, **extra: Any) -> dict[str, Any]:
    return {
        "uuid": "0a1b2c3d-0000-4000-8000-00000000a001",
        "type": misp_type,
        "value": value,
        "to_ids": to_ids,
        **extra,
    }


def _event_with(*attributes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    event = phishing_event()
    event["Event"]["Attribute"] = list(attributes)
    for key in ("Object", "Galaxy", "EventReport"):
        event["Event"].pop(key)
    event["Event"].update(extra)
    return event


def test_M1_event_json_becomes_a_valid_stix_report_with_contents() -> None:
    result = imported()
    report = by_id(result)[f"report--{EVENT_UUID}"]
    assert report["name"] == "Phishing  wave"
    assert set(report["object_refs"]) >= {f"indicator--{IP_ATTR}", f"observed-data--{DOMAIN_ATTR}"}
    assert result.problems == []
    assert validation_errors(result.objects) == []


def test_M1_bare_event_without_the_event_wrapper_is_accepted() -> None:
    result = misp_event_to_stix(phishing_event()["Event"], context=import_context())
    assert result.event_uuid == EVENT_UUID


def test_M3_event_uuid_is_the_report_identity_and_timestamp_its_version() -> None:
    event = phishing_event()
    event["Event"]["timestamp"] = "1709400000"
    report = by_id(imported(event))[f"report--{EVENT_UUID}"]
    assert report["modified"] == "2024-03-02T17:20:00.000Z"
    assert imported(event).timestamp == 1709400000


@pytest.mark.parametrize(
    ("distribution", "recipients", "communities"),
    [
        ("0", frozenset({OWNER}), frozenset()),
        ("1", frozenset(), frozenset({"federation"})),
        ("2", frozenset(), frozenset({"federation", "partners"})),
        ("3", frozenset(), frozenset()),
    ],
)
def test_M4_event_distribution_levels_become_audiences(
    distribution: str, recipients: frozenset[str], communities: frozenset[str]
) -> None:
    event = phishing_event()
    event["Event"]["distribution"] = distribution
    made = imported(event).descriptors[f"report--{EVENT_UUID}"]
    assert (made.recipient_org_ids, made.community_ids) == (recipients, communities)
    assert made.producer_org_id == OWNER


def test_M4_community_distribution_without_a_configured_community_is_owner_only() -> None:
    event = phishing_event()
    event["Event"]["distribution"] = "1"
    made = imported(event, community_id=None).descriptors[f"report--{EVENT_UUID}"]
    assert made.recipient_org_ids == frozenset({OWNER})


def test_M4_known_sharing_group_gives_its_organisations() -> None:
    event = phishing_event()
    event["Event"]["Attribute"][1]["SharingGroup"]["uuid"] = KNOWN_SG
    made = imported(event).descriptors[f"observed-data--{DOMAIN_ATTR}"]
    assert made.recipient_org_ids == KNOWN_SG_ORGS


def test_M4_unknown_sharing_group_is_owner_org_only() -> None:
    made = imported().descriptors[f"observed-data--{DOMAIN_ATTR}"]
    assert made.recipient_org_ids == frozenset({OWNER})
    assert made.community_ids == frozenset()


def test_M4_inherit_is_the_most_restrictive_of_parent_and_self() -> None:
    event = phishing_event()
    event["Event"]["distribution"] = "1"
    event["Event"]["Attribute"][0]["distribution"] = "3"  # wider than its event
    event["Event"]["Attribute"][2]["distribution"] = "5"
    result = imported(event)
    assert result.descriptors[f"indicator--{IP_ATTR}"].community_ids == frozenset({"federation"})
    assert result.descriptors[f"indicator--{HASH_ATTR}"].community_ids == frozenset({"federation"})


def test_M4_distribution_outside_0_to_5_is_refused_with_its_place() -> None:
    event = phishing_event()
    event["Event"]["distribution"] = "9"
    with pytest.raises(InputError, match=r"Event\.distribution"):
        imported(event)


@pytest.mark.parametrize(
    ("tag", "level"),
    [
        ("tlp:clear", TlpLevel.CLEAR),
        ("tlp:white", TlpLevel.CLEAR),
        ("tlp:green", TlpLevel.GREEN),
        ("TLP:AMBER", TlpLevel.AMBER),
        ("tlp:amber+strict", TlpLevel.AMBER_STRICT),
        ("tlp:red", TlpLevel.RED),
    ],
)
def test_M5_tlp_tags_become_pinned_tlp2_marking_ids(tag: str, level: TlpLevel) -> None:
    event = phishing_event()
    event["Event"]["Tag"] = [{"name": tag}]
    result = imported(event)
    report = by_id(result)[f"report--{EVENT_UUID}"]
    assert report["object_marking_refs"] == [TLP2_BY_LEVEL[level].id]
    assert result.descriptors[report["id"]].tlp is level


def test_M5_attribute_takes_the_most_restrictive_of_its_tag_and_the_event_tag() -> None:
    result = imported()  # event tlp:green, the sha256 attribute tlp:amber
    assert result.descriptors[f"indicator--{HASH_ATTR}"].tlp is TlpLevel.AMBER
    assert result.descriptors[f"indicator--{IP_ATTR}"].tlp is TlpLevel.GREEN


def test_M5_tlp_and_distribution_are_both_kept_so_the_gate_intersects_them() -> None:
    made = imported().descriptors[f"observed-data--{DOMAIN_ATTR}"]  # green + unknown SG
    assert (made.tlp, made.recipient_org_ids) == (TlpLevel.GREEN, frozenset({OWNER}))


def test_M5_unknown_tlp_tag_gives_the_importers_default_never_open() -> None:
    event = phishing_event()
    event["Event"]["Tag"] = [{"name": "tlp:ex:chr"}]
    assert imported(event).descriptors[f"report--{EVENT_UUID}"].tlp is TlpLevel.AMBER_STRICT
    greener = imported(event, unmarked_tlp=TlpLevel.AMBER)
    assert greener.descriptors[f"report--{EVENT_UUID}"].tlp is TlpLevel.AMBER


def test_M6_to_ids_gives_an_indicator_and_otherwise_observed_data_with_scos() -> None:
    objects = by_id(imported())
    indicator = objects[f"indicator--{IP_ATTR}"]
    assert indicator["pattern"] == "[ipv4-addr:value = '198.51.100.7']"
    observed = objects[f"observed-data--{DOMAIN_ATTR}"]
    assert [objects[ref]["value"] for ref in observed["object_refs"]] == ["evil.example"]


@pytest.mark.parametrize(
    ("misp_type", "value", "pattern"),
    [
        (
            "filename|sha1",
            "a.exe|da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "[file:name = 'a.exe' AND "
            "file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
        ),
        (
            "ip-dst|port",
            "203.0.113.5|443",
            "[network-traffic:dst_ref.value = '203.0.113.5' AND network-traffic:dst_port = 443]",
        ),
        (
            "domain|ip",
            "a.example|192.0.2.1",
            "[domain-name:value = 'a.example' AND "
            "domain-name:resolves_to_refs[*].value = '192.0.2.1']",
        ),
        ("url", "http://x.example/it's", "[url:value = 'http://x.example/it\\'s']"),
        ("ip-src", "2001:db8::1", "[ipv6-addr:value = '2001:db8::1']"),
        ("AS", "AS64500", "[autonomous-system:number = 64500]"),
    ],
)
def test_M6_generated_patterns_are_the_expected_valid_stix(
    misp_type: str, value: str, pattern: str
) -> None:
    result = imported(_event_with(_attr(misp_type, value)))
    indicator = result.by_type("indicator")[0]
    assert indicator["pattern"] == pattern
    assert validation_errors(result.objects) == []


def test_M6_value_that_cannot_make_a_valid_pattern_is_a_problem_not_a_crash() -> None:
    result = imported(_event_with(_attr("sha256", "not-a-hash"), _attr("ip-dst", "999.1.1.1")))
    assert result.by_type("indicator") == []
    assert len(result.problems) == 2
    assert all("Attribute[" in problem.place for problem in result.problems)


def test_M6_signature_types_keep_their_own_pattern_language() -> None:
    rule = "rule x { condition: true }"
    indicator = imported(_event_with(_attr("yara", rule))).by_type("indicator")[0]
    assert (indicator["pattern_type"], indicator["pattern"]) == ("yara", rule)


def test_M7_file_object_becomes_an_sco_graph_an_indicator_and_relationships() -> None:
    result = imported()
    objects = by_id(result)
    observed = objects["observed-data--5e3c2b1a-0000-4000-8000-000000000201"]
    file_sco = objects[observed["object_refs"][0]]
    assert file_sco["name"] == "invoice.exe"
    assert file_sco["hashes"] == {"MD5": "d41d8cd98f00b204e9800998ecf8427e"}
    indicator = objects["indicator--5e3c2b1a-0000-4000-8000-000000000201"]
    assert "file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e'" in indicator["pattern"]
    reference = objects["relationship--5e3c2b1a-0000-4000-8000-000000000301"]
    assert (reference["relationship_type"], reference["target_ref"]) == (
        "connects-to",
        f"indicator--{IP_ATTR}",
    )


def test_M7_domain_ip_and_network_connection_objects_link_their_observables() -> None:
    event = _event_with()
    event["Event"]["Object"] = [
        {
            "uuid": "0a1b2c3d-0000-4000-8000-00000000b001",
            "name": "domain-ip",
            "Attribute": [
                {"type": "domain", "object_relation": "domain", "value": "c2.example"},
                {"type": "ip-dst", "object_relation": "ip", "value": "192.0.2.10"},
            ],
        },
        {
            "uuid": "0a1b2c3d-0000-4000-8000-00000000b002",
            "name": "network-connection",
            "Attribute": [
                {"type": "ip-src", "object_relation": "ip-src", "value": "10.0.0.5"},
                {"type": "ip-dst", "object_relation": "ip-dst", "value": "192.0.2.10"},
                {"type": "port", "object_relation": "dst-port", "value": "8443"},
            ],
        },
    ]
    result = imported(event)
    objects = by_id(result)
    domain = next(o for o in result.objects if o["type"] == "domain-name")
    assert [objects[r]["value"] for r in domain["resolves_to_refs"]] == ["192.0.2.10"]
    traffic = next(o for o in result.objects if o["type"] == "network-traffic")
    assert (objects[traffic["src_ref"]]["value"], traffic["dst_port"]) == ("10.0.0.5", 8443)
    assert validation_errors(result.objects) == []


def test_M8_galaxy_clusters_become_sdos_with_ids_stable_across_events() -> None:
    table = MemoryGalaxyIdTable()
    first = imported(galaxy_ids=table)
    other = phishing_event()
    other["Event"]["uuid"] = "5e3c2b1a-0000-4000-8000-0000000000ee"
    second = imported(other, galaxy_ids=MemoryGalaxyIdTable())
    actors = [r.by_type("threat-actor")[0] for r in (first, second)]
    assert actors[0]["id"] == actors[1]["id"]
    assert table.cluster_uuid(actors[0]["id"]) == "7d8c1f3e-0000-4000-8000-00000000c002"
    assert actors[0]["aliases"] == ["Example Panda"]


def test_M8_attack_pattern_keeps_the_technique_id_and_is_linked_to_the_indicator() -> None:
    result = imported()
    pattern = result.by_type("attack-pattern")[0]
    assert {"source_name": "mitre-attack", "external_id": "T1566"} in pattern["external_references"]
    links = [r for r in result.by_type("relationship") if r["target_ref"] == pattern["id"]]
    assert [(r["relationship_type"], r["source_ref"]) for r in links] == [
        ("indicates", f"indicator--{IP_ATTR}")
    ]


def test_M8_cluster_without_stix_counterpart_is_kept_as_a_label() -> None:
    report = by_id(imported())[f"report--{EVENT_UUID}"]
    assert 'misp-galaxy:sector="Finance"' in report["labels"]


def test_M9_sightings_false_positives_and_anonymous_sightings() -> None:
    objects = by_id(imported())
    named = objects["sighting--5e3c2b1a-0000-4000-8000-000000000901"]
    assert named["where_sighted_refs"] == [org_identity_id("5e3c2b1a-0000-4000-8000-0000000000bb")]
    anonymous = objects["sighting--5e3c2b1a-0000-4000-8000-000000000902"]
    assert "where_sighted_refs" not in anonymous
    assert "created_by_ref" not in anonymous
    false_positive = objects["opinion--5e3c2b1a-0000-4000-8000-000000000903"]
    assert false_positive["opinion"] == "strongly-disagree"
    assert false_positive["object_refs"] == [f"indicator--{IP_ATTR}"]


def test_M9_sightings_take_the_submitters_strict_audience_whatever_the_indicator() -> None:
    made = imported().descriptors["sighting--5e3c2b1a-0000-4000-8000-000000000901"]
    assert made.tlp is TlpLevel.AMBER_STRICT
    assert made.producer_org_id == OWNER


def test_M10_event_reports_notes_and_opinions_become_notes_and_opinions() -> None:
    event = phishing_event()
    event["Event"]["Note"] = [{"uuid": "0a1b2c3d-0000-4000-8000-00000000c101", "note": "triaged"}]
    event["Event"]["Opinion"] = [
        {"uuid": "0a1b2c3d-0000-4000-8000-00000000c102", "opinion": "90", "comment": "solid"}
    ]
    objects = by_id(imported(event))
    assert objects["note--5e3c2b1a-0000-4000-8000-000000000401"]["abstract"] == "Summary"
    assert objects["note--0a1b2c3d-0000-4000-8000-00000000c101"]["content"] == "triaged"
    opinion = objects["opinion--0a1b2c3d-0000-4000-8000-00000000c102"]
    assert (opinion["opinion"], opinion["object_refs"]) == (
        "strongly-agree",
        [f"report--{EVENT_UUID}"],
    )


def test_M11_local_tags_are_in_no_stix_object_and_kept_apart() -> None:
    result = imported()
    assert "internal:case-42" not in str(result.objects)
    assert result.local_tags == {f"report--{EVENT_UUID}": ("internal:case-42",)}


def test_M12_html_and_active_links_are_removed_from_info_comment_and_reports() -> None:
    event = phishing_event()
    event["Event"]["Attribute"][0]["comment"] = "&lt;script&gt;alert(1)&lt;/script&gt;seen"
    text = str(imported(event).objects)
    assert "<script" not in text
    assert "javascript:" not in text
    assert "onerror" not in text
    assert by_id(imported(event))[f"indicator--{IP_ATTR}"]["description"] == "seen"


def test_M12_attachment_data_is_kept_out_of_stix_and_not_decoded() -> None:
    attachment = _attr("attachment", "payload.bin", to_ids=False, data="TVqQAAMAAAAEAAAA//8AALgA")
    result = imported(_event_with(attachment))
    assert "TVqQ" not in str(result.objects)
    assert result.attachments == {attachment["uuid"]: "TVqQAAMAAAAEAAAA//8AALgA"}


def test_M12_too_many_attributes_is_refused_naming_the_event() -> None:
    event = _event_with(*[_attr("ip-dst", f"192.0.2.{i}") for i in range(5)])
    with pytest.raises(InputError) as refused:
        imported(event, limits=MispLimits(max_attributes=4))
    assert EVENT_UUID in str(refused.value)


def test_M12_deep_nesting_and_long_values_are_refused_with_the_place() -> None:
    deep: Any = "x"
    for _ in range(40):
        deep = [deep]
    with pytest.raises(InputError, match="nested deeper"):
        imported(_event_with(_attr("text", "x", comment_extra=deep)))
    too_long = imported(_event_with(_attr("text", "x" * 50)), limits=MispLimits(max_value_chars=10))
    assert [p.place for p in too_long.problems] == ["Event.Attribute[0].value"]


def test_M22_accepts_what_pymisp_to_json_emits() -> None:
    event = MISPEvent()
    event.info = "PyMISP built"
    orgc = MISPOrganisation()
    orgc.from_dict(uuid="0a1b2c3d-0000-4000-8000-00000000d001", name="Builder")
    event.Orgc = orgc
    event.add_tag("tlp:amber+strict")
    attribute = MISPAttribute()
    attribute.from_dict(type="domain", value="pymisp.example", to_ids=True)
    event.add_attribute(**attribute)
    file_object = MISPObject("file")
    file_object.add_attribute("filename", value="x.dll")
    file_object.add_attribute("sha256", value="a" * 64, to_ids=True)
    event.add_object(file_object)
    result = misp_event_to_stix(json.loads(event.to_json()), context=import_context())
    assert result.by_type("indicator")[0]["pattern"] == ("[domain-name:value = 'pymisp.example']")
    assert len(result.by_type("indicator")) == 2
    assert result.descriptors[f"report--{event.uuid}"].tlp is TlpLevel.AMBER_STRICT


def test_M24_every_sdo_names_the_identity_of_orgc() -> None:
    result = imported()
    creator = org_identity_id("5e3c2b1a-0000-4000-8000-0000000000aa")
    identity = by_id(result)[creator]
    assert identity["name"] == "CERT-Example"
    made = [
        o
        for o in result.objects
        if "created" in o
        and o["type"] not in ("marking-definition", "identity", "sighting", "opinion")
    ]
    assert made
    assert all(o["created_by_ref"] == creator for o in made)


def test_M24_event_without_orgc_is_refused() -> None:
    event = phishing_event()
    del event["Event"]["Orgc"]
    with pytest.raises(InputError, match="Orgc"):
        imported(event)
