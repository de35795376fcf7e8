"""MISP object templates (issue 14): STIX homes as misp-stix gives them, ``x-misp-object``
for the rest, nothing left as an anonymous note, one bad attribute isolated."""

from __future__ import annotations

import uuid
from typing import Any

import stix2validator
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.share.misp.templates import SCO_TEMPLATES
from tests.unit.share.misp.misp_world import by_id, imported, phishing_event

MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"


def _uuid(tail: int) -> str:
    return f"0a1b2c3d-0000-4000-8000-{tail:012x}"


def _attr(relation: str, misp_type: str, value: str, tail: int, **extra: Any) -> dict[str, Any]:
    return {
        "uuid": _uuid(tail),
        "object_relation": relation,
        "type": misp_type,
        "value": value,
        "to_ids": False,
        **extra,
    }


def _object(name: str, tail: int, *attributes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"uuid": _uuid(tail), "name": name, "Attribute": list(attributes), **extra}


def _event(*objects: dict[str, Any], attributes: tuple[dict[str, Any], ...] = ()) -> Any:
    event = phishing_event()
    event["Event"]["Object"] = list(objects)
    event["Event"]["Attribute"] = list(attributes)
    for key in ("Galaxy", "EventReport"):
        event["Event"].pop(key, None)
    return imported(event)


def _each_valid(objects: list[dict[str, Any]]) -> list[str]:
    """stix2-validator errors, object by object (each must stand on its own)."""
    errors = []
    for obj in objects:
        result = stix2validator.validate_instance(obj, stix2validator.ValidationOptions())
        errors.extend(f"{obj['id']}: {error}" for error in result.errors)
    return errors


def _pe_world() -> Any:
    file_ = _object(
        "file",
        0xF1,
        _attr("filename", "filename", "dropper.exe", 0x101),
        _attr("md5", "md5", MD5, 0x102, to_ids=True),
        ObjectReference=[
            {
                "uuid": _uuid(0x901),
                "referenced_uuid": _uuid(0xF2),
                "relationship_type": "includes",
            }
        ],
    )
    pe = _object(
        "pe",
        0xF2,
        _attr("imphash", "imphash", MD5, 0x201, to_ids=True),
        _attr("type", "text", "dll", 0x202),
        _attr("number-sections", "counter", "1", 0x203),
        ObjectReference=[
            {
                "uuid": _uuid(0x902),
                "referenced_uuid": _uuid(0xF3),
                "relationship_type": "includes",
            }
        ],
    )
    section = _object(
        "pe-section",
        0xF3,
        _attr("name", "text", ".text", 0x301),
        _attr("size-in-bytes", "size-in-bytes", "4096", 0x302),
        _attr("entropy", "float", "6.5", 0x303),
    )
    return _event(file_, pe, section)


def test_a_file_carries_its_pe_and_sections_and_the_parts_keep_their_relations() -> None:
    result = _pe_world()
    objects = by_id(result)
    observed = objects[f"observed-data--{_uuid(0xF1)}"]
    file_ = objects[observed["object_refs"][0]]
    ext = file_["extensions"]["windows-pebinary-ext"]
    assert (ext["pe_type"], ext["imphash"], ext["number_of_sections"]) == ("dll", MD5, 1)
    assert ext["sections"] == [{"name": ".text", "size": 4096, "entropy": 6.5}]
    assert objects[f"x-misp-object--{_uuid(0xF2)}"]["x_misp_name"] == "pe"
    assert objects[f"x-misp-object--{_uuid(0xF3)}"]["x_misp_name"] == "pe-section"
    links = {
        (o["source_ref"], o["target_ref"])
        for o in result.objects
        if o["type"] == "relationship" and o["relationship_type"] == "includes"
    }
    assert (f"indicator--{_uuid(0xF1)}", f"x-misp-object--{_uuid(0xF2)}") in links
    assert (f"x-misp-object--{_uuid(0xF2)}", f"x-misp-object--{_uuid(0xF3)}") in links
    assert result.problems == []
    assert _each_valid(result.objects) == []


def test_a_template_without_a_stix_home_is_a_custom_object_with_its_relations() -> None:
    account = _object(
        "bank-account", 0xB1, _attr("account", "bank-account-nr", "5369222868", 0x401)
    )
    result = _event(account)
    custom = by_id(result)[f"x-misp-object--{_uuid(0xB1)}"]
    assert custom["x_misp_name"] == "bank-account"
    assert custom["x_misp_attributes"] == [
        {
            "uuid": _uuid(0x401),
            "object_relation": "account",
            "type": "bank-account-nr",
            "value": "5369222868",
            "to_ids": False,
        }
    ]
    assert not result.by_type("note")
    assert _each_valid(result.objects) == []


def test_templates_with_a_stix_home_become_what_misp_stix_makes_of_them() -> None:
    result = _event(
        _object(
            "registry-key",
            0xC1,
            _attr("key", "regkey", "HKLM\\Software\\Run", 0x501),
            _attr("data", "text", "evil.exe", 0x502),
            _attr("name", "text", "upd", 0x503),
        ),
        _object(
            "x509",
            0xC2,
            _attr("x509-fingerprint-sha1", "x509-fingerprint-sha1", SHA1, 0x511),
            _attr("issuer", "text", "CN=Bad CA", 0x512),
        ),
        _object(
            "asn",
            0xC3,
            _attr("asn", "AS", "AS64500", 0x521),
            _attr("description", "text", "Example net", 0x522),
        ),
        _object(
            "process",
            0xC4,
            _attr("pid", "text", "4242", 0x531),
            _attr("command-line", "text", "evil.exe -x", 0x532),
        ),
        _object(
            "user-account",
            0xC5,
            _attr("username", "text", "mallory", 0x541),
            _attr("user-id", "text", "1001", 0x542),
        ),
        _object(
            "vulnerability",
            0xC6,
            _attr("id", "vulnerability", "CVE-2021-44228", 0x551),
            _attr("summary", "text", "Log4Shell", 0x552),
        ),
        _object("course-of-action", 0xC7, _attr("name", "text", "Patch", 0x561)),
        _object("weakness", 0xC8, _attr("id", "weakness", "CWE-79", 0x571)),
        _object("mutex", 0xC9, _attr("name", "mutex", "Global\\evil", 0x581)),
    )
    types = {o["type"] for o in result.objects}
    assert {"windows-registry-key", "x509-certificate", "autonomous-system", "process"} <= types
    assert {"user-account", "vulnerability", "course-of-action", "mutex"} <= types
    objects = by_id(result)
    key = next(o for o in result.objects if o["type"] == "windows-registry-key")
    assert key["values"] == [{"name": "upd", "data": "evil.exe"}]
    vulnerability = objects[f"vulnerability--{_uuid(0xC6)}"]
    assert vulnerability["external_references"][0]["external_id"] == "CVE-2021-44228"
    process = next(o for o in result.objects if o["type"] == "process")
    assert uuid.UUID(process["id"].partition("--")[2]).version == 4
    assert objects[f"x-misp-object--{_uuid(0xC8)}"]["x_misp_name"] == "weakness"
    assert result.problems == [] and not result.by_type("note")
    assert _each_valid(result.objects) == []


def test_ids_attributes_of_hash_registry_and_attachment_types_are_indicators() -> None:
    attributes = (
        {"uuid": _uuid(0x601), "type": "imphash", "value": MD5, "to_ids": True},
        {"uuid": _uuid(0x602), "type": "pehash", "value": SHA1, "to_ids": True},
        {"uuid": _uuid(0x603), "type": "regkey|value", "value": "HKLM\\Run|x.exe", "to_ids": True},
        {"uuid": _uuid(0x604), "type": "email-attachment", "value": "inv.zip", "to_ids": True},
        {"uuid": _uuid(0x605), "type": "bank-account-nr", "value": "12", "to_ids": True},
    )
    result = _event(attributes=attributes)
    patterns = {o["id"]: o["pattern"] for o in result.by_type("indicator")}
    assert patterns[f"indicator--{_uuid(0x601)}"] == f"[file:hashes.IMPHASH = '{MD5}']"
    assert patterns[f"indicator--{_uuid(0x602)}"] == f"[file:hashes.PEHASH = '{SHA1}']"
    assert "windows-registry-key:values[*].data = 'x.exe'" in patterns[f"indicator--{_uuid(0x603)}"]
    assert "body_raw_ref.name = 'inv.zip'" in patterns[f"indicator--{_uuid(0x604)}"]
    note = by_id(result)[f"note--{_uuid(0x605)}"]  # no STIX home: a note, still IDS
    assert note["x_misp_to_ids"] is True and note["x_misp_type"] == "bank-account-nr"


def test_one_bad_value_drops_only_itself_from_its_object() -> None:
    file_ = _object(
        "file",
        0xD1,
        _attr("filename", "filename", "a.exe", 0x701),
        _attr("md5", "md5", MD5, 0x702, to_ids=True),
        _attr("sha1", "sha1", SHA1, 0x703),
        _attr("ssdeep", "ssdeep", "3:ab\r\ncd:ef", 0x704),
    )
    result = _event(file_)
    observed = by_id(result)[f"observed-data--{_uuid(0xD1)}"]
    sco = by_id(result)[observed["object_refs"][0]]
    assert sco["name"] == "a.exe" and set(sco["hashes"]) == {"MD5", "SHA-1"}
    assert [p.place for p in result.problems] == ["Event.Object[0].Attribute[3].value"]
    assert [r["object_relation"] for r in observed["x_misp_attributes"]] == [
        "filename",
        "md5",
        "sha1",
    ]


_RELATIONS = st.sampled_from(
    ["filename", "md5", "ip", "domain", "key", "pid", "username", "asn", "id", "name", "x"]
)
_VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from([MD5, "192.0.2.1", "AS64500", "12", "bad.example", "CVE-2020-0001"]),
)


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from([*SCO_TEMPLATES, "vulnerability", "pe", "bank-account"]),
    pairs=st.lists(st.tuples(_RELATIONS, _VALUES), min_size=1, max_size=6),
)
def test_any_object_keeps_every_readable_attribute_and_never_raises(
    name: str, pairs: list[tuple[str, str]]
) -> None:
    attributes = [
        _attr(r, r if r != "x" else "text", v, 0x800 + i) for i, (r, v) in enumerate(pairs)
    ]
    result = _event(_object(name, 0xE1, *attributes))
    made = [o for o in result.objects if o.get("x_misp_object_name") or o.get("x_misp_name")]
    kept = [r["uuid"] for o in made[:1] for r in o["x_misp_attributes"]]
    dropped = len([p for p in result.problems if "Attribute[" in str(p.place)])
    assert len(kept) + dropped == len(attributes) or (not kept and result.problems)
    assert _each_valid([o for o in result.objects if o["type"] != "marking-definition"]) == []
