"""Property tests: MISP parsers never crash on hostile input; round trips hold (M12, M21)."""

from __future__ import annotations

import ipaddress
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.model.sharing import TlpLevel
from shieldwall.share.misp import (
    MispLimits,
    load_json,
    misp_event_to_stix,
    stix_to_misp_event,
)
from shieldwall.share.misp.patterns import format_pattern, parse_simple, pattern_errors
from shieldwall.share.misp.text import sanitise_text
from tests.unit.share.misp.misp_world import export_context, import_context

TYPES = [
    "ip-src",
    "ip-dst",
    "domain",
    "hostname",
    "url",
    "md5",
    "sha256",
    "filename",
    "email-src",
    "email-subject",
    "mutex",
    "regkey",
    "AS",
    "ip-dst|port",
    "domain|ip",
    "filename|md5",
    "text",
    "comment",
    "yara",
    "stix2-pattern",
    "vulnerability",
    "attachment",
    "weird-type",
]
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30))
anything = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
uuids = st.uuids().map(str)


def _maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(value, anything)


attribute = st.fixed_dictionaries(
    {
        "uuid": _maybe(uuids),
        "type": _maybe(st.sampled_from(TYPES)),
        "value": _maybe(st.text(max_size=40)),
        "to_ids": _maybe(st.booleans()),
        "distribution": _maybe(st.sampled_from(["0", "1", "2", "3", "4", "5"])),
        "Tag": _maybe(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "name": st.sampled_from(
                            ["tlp:red", "tlp:clear", "x", 'misp:confidence-level="unconfident"']
                        )
                    }
                ),
                max_size=3,
            )
        ),
        "Sighting": _maybe(
            st.lists(
                st.fixed_dictionaries(
                    {"uuid": uuids, "type": st.sampled_from(["0", "1", "2", "7"])}
                ),
                max_size=2,
            )
        ),
    }
)
event = st.fixed_dictionaries(
    {
        "Event": st.fixed_dictionaries(
            {
                "uuid": _maybe(uuids),
                "timestamp": _maybe(st.integers(min_value=0, max_value=2**33).map(str)),
                "Orgc": _maybe(
                    st.fixed_dictionaries({"uuid": uuids, "name": st.text(max_size=10)})
                ),
                "distribution": _maybe(st.sampled_from(["0", "1", "2", "3", "4"])),
                "info": _maybe(st.text(max_size=40)),
                "Attribute": _maybe(st.lists(attribute, max_size=5)),
                "Object": _maybe(
                    st.lists(
                        st.fixed_dictionaries(
                            {
                                "uuid": _maybe(uuids),
                                "name": st.sampled_from(["file", "domain-ip", "email", "x"]),
                                "Attribute": st.lists(attribute, max_size=3),
                            }
                        ),
                        max_size=2,
                    )
                ),
                "Galaxy": _maybe(
                    st.lists(
                        st.fixed_dictionaries(
                            {
                                "type": st.sampled_from(
                                    ["threat-actor", "mitre-malware", "sector"]
                                ),
                                "GalaxyCluster": st.lists(
                                    st.fixed_dictionaries(
                                        {"uuid": _maybe(uuids), "value": st.text(max_size=10)}
                                    ),
                                    max_size=2,
                                ),
                            }
                        ),
                        max_size=2,
                    )
                ),
            }
        )
    }
)


@settings(max_examples=300, deadline=None)
@given(event)
def test_M12_random_events_never_crash_only_input_errors(document: dict[str, Any]) -> None:
    try:
        result = misp_event_to_stix(document, context=import_context())
    except InputError as error:
        assert str(error)
        return
    assert set(result.descriptors) == {obj["id"] for obj in result.objects}
    assert all(isinstance(problem, InputError) for problem in result.problems)
    for obj in result.objects:  # every pattern the converter wrote is a valid one
        if obj.get("pattern_type") == "stix":
            assert pattern_errors(obj["pattern"]) == []


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | anything.map(lambda v: repr(v).encode()))
def test_M12_random_bytes_as_json_give_a_value_or_an_input_error(data: bytes) -> None:
    try:
        load_json(data, source="fuzz", max_bytes=150, max_depth=3)
    except InputError as error:
        assert error.source == "fuzz"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_M12_sanitised_text_has_no_markup_or_active_scheme(text: str) -> None:
    clean = sanitise_text(text)
    lowered = clean.lower()
    assert "<script" not in lowered
    assert "javascript:" not in lowered.replace(" ", "")


def test_M12_link_stripping_is_linear_in_a_members_text() -> None:
    """``](`` and 200,000 spaces: the old expression backtracked quadratically (minutes)."""
    spaces = " " * 200_000
    assert sanitise_text("](" + spaces) == "](" + spaces
    assert sanitise_text("see ](" + spaces + "< javascript:void) ok") == "see ]() ok"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["file:name", "url:value", "mutex:name"]), st.text(max_size=20)),
        min_size=1,
        max_size=3,
    )
)
def test_M6_written_patterns_parse_back_to_the_same_comparisons(
    comparisons: list[tuple[str, str]],
) -> None:
    pattern = format_pattern(comparisons)
    assert parse_simple(pattern) == comparisons


def _value(draw: st.DrawFn, misp_type: str) -> str:
    if misp_type in ("ip-src", "ip-dst"):
        return str(ipaddress.IPv4Address(draw(st.integers(min_value=1, max_value=2**32 - 1))))
    if misp_type == "sha256":
        return draw(st.text("0123456789abcdef", min_size=64, max_size=64))
    if misp_type == "md5":
        return draw(st.text("0123456789abcdef", min_size=32, max_size=32))
    label = draw(st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True))
    return {
        "domain": f"{label}.example",
        "url": f"https://{label}.example/x",
        "filename": f"{label}.exe",
        "mutex": label,
    }[misp_type]


@st.composite
def simple_events(draw: st.DrawFn) -> dict[str, Any]:
    attributes = []
    for index in range(draw(st.integers(min_value=1, max_value=6))):
        misp_type = draw(
            st.sampled_from(
                ["ip-src", "ip-dst", "domain", "url", "sha256", "md5", "filename", "mutex"]
            )
        )
        attributes.append(
            {
                "uuid": f"0a1b2c3d-0000-4000-8000-{index:012d}",
                "type": misp_type,
                "value": _value(draw, misp_type),
                "to_ids": draw(st.booleans()),
                "timestamp": "1700000000",
            }
        )
    tlp = draw(st.sampled_from(["tlp:clear", "tlp:green", "tlp:amber+strict"]))
    return {
        "Event": {
            "uuid": "0a1b2c3d-0000-4000-8000-ffffffffffff",
            "info": "generated",
            "timestamp": "1700000000",
            "distribution": "3",
            "Tag": [{"name": tlp}],
            "Orgc": {"uuid": "0a1b2c3d-0000-4000-8000-eeeeeeeeeeee", "name": "Gen"},
            "Attribute": attributes,
        }
    }


@settings(max_examples=150, deadline=None)
@given(simple_events())
def test_M21_misp_stix_misp_keeps_every_attribute_and_the_tlp(document: dict[str, Any]) -> None:
    result = misp_event_to_stix(document, context=import_context(limits=MispLimits()))
    back = stix_to_misp_event(result.objects, context=export_context(result.descriptors))
    original = document["Event"]
    again = back.event["Event"]
    assert sorted(
        (a["uuid"], a["type"], a["value"], a["to_ids"]) for a in original["Attribute"]
    ) == sorted((a["uuid"], a["type"], a["value"], a["to_ids"]) for a in again["Attribute"])
    tlp = [t["name"] for t in again["Tag"] if t["name"].startswith("tlp:")]
    assert tlp == [original["Tag"][0]["name"]]
    level = result.descriptors[f"report--{original['uuid']}"].tlp
    assert level is not None and level < TlpLevel.RED
