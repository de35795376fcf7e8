"""Descriptors: the TLP level is resolved once, from object-level and granular marking refs."""

from __future__ import annotations

from typing import Any

import pytest

from shieldwall.model.errors import InputError
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy import ObjectDescriptor, marking_refs_of
from shieldwall.policy.markings import TLP1_GREEN, TLP_AMBER_STRICT, TLP_RED

STATEMENT = "marking-definition--1b4b2c53-3d1e-4b7a-9a1c-8f3f2f3e1d11"


def test_granular_markings_fold_into_the_object_level() -> None:
    indicator = {
        "type": "indicator",
        "id": "indicator--1",
        "object_marking_refs": [TLP1_GREEN.id, STATEMENT],
        "granular_markings": [
            {"marking_ref": TLP_RED.id, "selectors": ["description"]},
            {"lang": "en", "selectors": ["name"]},
        ],
    }
    refs = marking_refs_of(indicator)
    assert refs == (TLP1_GREEN.id, STATEMENT, TLP_RED.id)
    assert ObjectDescriptor("indicator--1", "nl-cert", refs).tlp is TlpLevel.RED


def test_no_marking_refs_is_unmarked() -> None:
    refs = marking_refs_of({"type": "indicator", "id": "indicator--1"})
    assert refs == ()
    assert ObjectDescriptor("indicator--1", "nl-cert", refs).tlp is None


def test_level_is_resolved_when_the_descriptor_is_made() -> None:
    descriptor = ObjectDescriptor("x", "nl-cert", (STATEMENT, TLP_AMBER_STRICT.id))
    assert descriptor.tlp is TlpLevel.AMBER_STRICT
    assert descriptor == ObjectDescriptor("x", "nl-cert", (STATEMENT, TLP_AMBER_STRICT.id))


@pytest.mark.parametrize(
    "obj",
    [
        {"id": "indicator--1", "object_marking_refs": TLP_RED.id},
        {"id": "indicator--1", "object_marking_refs": [1]},
        {"id": "indicator--1", "granular_markings": {"marking_ref": TLP_RED.id}},
        {"id": "indicator--1", "granular_markings": [{"marking_ref": 5}]},
        {"id": "indicator--1", "granular_markings": [TLP_RED.id]},
    ],
)
def test_malformed_marking_fields_are_refused_with_their_place(obj: dict[str, Any]) -> None:
    with pytest.raises(InputError) as caught:
        marking_refs_of(obj, source="bundle.json")
    assert (caught.value.source, caught.value.place) == ("bundle.json", "indicator--1")
