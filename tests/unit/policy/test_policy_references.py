"""References to objects a principal may not see are never served (tlp-policy.md rule d)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.policy import strip_references

HIDDEN = "indicator--00000000-0000-4000-8000-00000000dead"
SHOWN = "indicator--00000000-0000-4000-8000-00000000beef"
VICTIM = "identity--00000000-0000-4000-8000-0000000000aa"
PRODUCER = "identity--00000000-0000-4000-8000-0000000000bb"
MARKING = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
NOT_VISIBLE = {HIDDEN, VICTIM, MARKING}


def visible(ref: str) -> bool:
    return ref not in NOT_VISIBLE


def test_sighting_loses_the_victim_and_keeps_what_is_visible() -> None:
    sighting = {
        "type": "sighting",
        "id": "sighting--1",
        "created_by_ref": PRODUCER,
        "sighting_of_ref": SHOWN,
        "where_sighted_refs": [VICTIM, PRODUCER],
        "count": 3,
    }
    result = strip_references(sighting, visible)
    assert result.object == {**sighting, "where_sighted_refs": [PRODUCER]}
    assert result.removed == (VICTIM,)
    assert result.servable


def test_single_refs_are_removed_with_their_key() -> None:
    indicator = {"type": "indicator", "id": SHOWN, "created_by_ref": VICTIM, "name": "x"}
    result = strip_references(indicator, visible)
    assert result.object == {"type": "indicator", "id": SHOWN, "name": "x"}
    assert result.removed == (VICTIM,)


def test_nested_refs_inside_extensions_and_lists_are_filtered() -> None:
    traffic = {
        "type": "network-traffic",
        "id": "network-traffic--1",
        "src_ref": SHOWN,
        "dst_ref": HIDDEN,
        "extensions": {"x-ext": {"parent_ref": HIDDEN, "child_refs": [SHOWN, HIDDEN]}},
        "parts": [{"body_raw_ref": HIDDEN, "content_type": "text/plain"}],
    }
    result = strip_references(traffic, visible)
    assert result.object == {
        "type": "network-traffic",
        "id": "network-traffic--1",
        "src_ref": SHOWN,
        "extensions": {"x-ext": {"child_refs": [SHOWN]}},
        "parts": [{"content_type": "text/plain"}],
    }
    assert result.removed == (HIDDEN, HIDDEN, HIDDEN, HIDDEN)


def test_marking_refs_are_kept_even_when_not_visible() -> None:
    marked = {
        "type": "indicator",
        "id": SHOWN,
        "object_marking_refs": [MARKING],
        "granular_markings": [{"marking_ref": MARKING, "selectors": ["name"]}],
    }
    assert strip_references(marked, visible).object == marked


@pytest.mark.parametrize(
    ("obj", "servable"),
    [
        ({"type": "relationship", "id": "r", "source_ref": SHOWN, "target_ref": HIDDEN}, False),
        ({"type": "relationship", "id": "r", "source_ref": SHOWN, "target_ref": SHOWN}, True),
        ({"type": "sighting", "id": "s", "sighting_of_ref": HIDDEN}, False),
        ({"type": "report", "id": "r", "object_refs": [HIDDEN]}, False),
        ({"type": "report", "id": "r", "object_refs": [HIDDEN, SHOWN]}, True),
        ({"type": "note", "id": "n", "object_refs": [HIDDEN]}, False),
        ({"type": "indicator", "id": "i", "created_by_ref": HIDDEN}, True),
    ],
)
def test_objects_meaningless_without_a_ref_are_not_servable(
    obj: dict[str, Any], servable: bool
) -> None:
    assert strip_references(obj, visible).servable is servable


@pytest.mark.parametrize(
    "obj",
    [
        {"type": "indicator", "id": "i", "created_by_ref": ["identity--1"]},
        {"type": "report", "id": "r", "object_refs": "indicator--1"},
        {"type": "report", "id": "r", "object_refs": [3]},
    ],
)
def test_malformed_reference_fields_are_refused_with_their_place(obj: dict[str, Any]) -> None:
    with pytest.raises(InputError) as caught:
        strip_references(obj, visible, source="bundle.json")
    assert caught.value.place == obj["id"]
    assert caught.value.source == "bundle.json"


IDS = st.sampled_from([HIDDEN, SHOWN, VICTIM, PRODUCER])
KEYS = st.sampled_from(["name", "a_ref", "b_refs", "nested", "count"])
VALUES = st.recursive(
    st.integers() | st.text(max_size=3) | IDS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=10,
)


def _refs_in(value: Any) -> list[str]:
    if isinstance(value, dict):
        found: list[str] = []
        for key, item in value.items():
            if key.endswith("_ref") and isinstance(item, str):
                found.append(item)
            elif key.endswith("_refs") and isinstance(item, list):
                found.extend(i for i in item if isinstance(i, str))
            else:
                found.extend(_refs_in(item))
        return found
    if isinstance(value, list):
        return [ref for item in value for ref in _refs_in(item)]
    return []


def _malformed(value: Any) -> bool:
    if isinstance(value, list):
        return any(_malformed(item) for item in value)
    if not isinstance(value, dict):
        return False
    for key, item in value.items():
        if key.endswith("_ref") and not isinstance(item, str):
            return True
        is_id_list = isinstance(item, list) and all(isinstance(i, str) for i in item)
        if key.endswith("_refs") and not is_id_list:
            return True
        if _malformed(item):
            return True
    return False


@given(
    st.dictionaries(
        KEYS,
        VALUES,
        max_size=5,
    ).map(lambda d: {"type": "x", "id": "x--1", **d})
)
def test_no_hidden_reference_survives_in_any_shape(obj: dict[str, Any]) -> None:
    try:
        result = strip_references(obj, visible)
    except InputError:
        assert _malformed(obj)  # a ref field of the wrong shape is refused as a whole
        return
    assert not set(_refs_in(result.object)) & NOT_VISIBLE
    assert sorted(result.removed) == sorted(r for r in _refs_in(obj) if r in NOT_VISIBLE)
