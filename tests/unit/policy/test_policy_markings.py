"""The pinned marking table (docs/conformance/tlp.md, "The pinned marking ids")."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shieldwall.model.errors import InputError
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy import PINNED, check_marking_definition, level_of, most_restrictive
from shieldwall.policy.markings import TLP2_BY_LEVEL, TLP2_EXTENSION_ID

# Copied by hand from the STIX 2.1 TLP marking definitions, not from the module under test.
REFERENCE_IDS = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TlpLevel.CLEAR,  # 1.0 WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TlpLevel.GREEN,  # 1.0 GREEN
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TlpLevel.AMBER,  # 1.0 AMBER
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TlpLevel.RED,  # 1.0 RED
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": TlpLevel.CLEAR,
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": TlpLevel.GREEN,
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": TlpLevel.AMBER,
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": TlpLevel.AMBER_STRICT,
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": TlpLevel.RED,
}
AMBER_STRICT_ID = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
GREEN_1_ID = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"


def test_fixed_ids_are_exactly_the_reference_table() -> None:
    assert {ident: m.level for ident, m in PINNED.items()} == REFERENCE_IDS


@pytest.mark.parametrize(("ident", "level"), sorted(REFERENCE_IDS.items()))
def test_tlp1_and_tlp2_ids_resolve_to_the_same_level(ident: str, level: TlpLevel) -> None:
    assert level_of(ident) is level


def test_tlp2_definitions_have_the_reference_shape() -> None:
    """tlp-policy.md: created 2022-10-01, a property-extension, no definition_type."""
    strict = dict(PINNED[AMBER_STRICT_ID].canonical)
    assert strict["created"] == "2022-10-01T00:00:00.000Z"
    assert strict["name"] == "TLP:AMBER+STRICT"
    assert "definition_type" not in strict
    assert strict["extensions"] == {
        TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": "amber+strict"}
    }
    assert {m.level for m in TLP2_BY_LEVEL.values()} == set(TlpLevel)


def test_an_unpinned_id_has_no_level() -> None:
    assert level_of("marking-definition--00000000-0000-4000-8000-000000000000") is None


def test_most_restrictive_of_several_and_none_when_unmarked() -> None:
    refs = ["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", AMBER_STRICT_ID]
    assert most_restrictive(refs) is TlpLevel.AMBER_STRICT
    assert most_restrictive(["marking-definition--unknown"]) is None
    assert most_restrictive([]) is None


@pytest.mark.parametrize("ident", sorted(REFERENCE_IDS))
def test_canonical_inbound_definitions_are_accepted(ident: str) -> None:
    inbound = copy.deepcopy(dict(PINNED[ident].canonical))
    inbound["created"] = inbound["created"].replace(".000Z", "Z")
    inbound["x_opencti_order"] = 3
    assert check_marking_definition(inbound) is PINNED[ident]


def _tampered_strict_as_clear() -> dict[str, Any]:
    """The measured pitfall: stix2 and stix2-validator both accept this."""
    inbound = copy.deepcopy(dict(PINNED[AMBER_STRICT_ID].canonical))
    inbound["name"] = "TLP:CLEAR"
    inbound["extensions"][TLP2_EXTENSION_ID]["tlp_2_0"] = "clear"
    return inbound


def _tampered_green_as_red() -> dict[str, Any]:
    inbound = copy.deepcopy(dict(PINNED[GREEN_1_ID].canonical))
    inbound["definition"] = {"tlp": "red"}
    return inbound


def _extra_property() -> dict[str, Any]:
    inbound = copy.deepcopy(dict(PINNED[AMBER_STRICT_ID].canonical))
    inbound["created_by_ref"] = "identity--11111111-1111-4111-8111-111111111111"
    return inbound


def _other_created() -> dict[str, Any]:
    inbound = copy.deepcopy(dict(PINNED[AMBER_STRICT_ID].canonical))
    inbound["created"] = "2022-10-02T00:00:00.000Z"
    return inbound


@pytest.mark.parametrize(
    ("inbound", "ident", "field"),
    [
        (_tampered_strict_as_clear(), AMBER_STRICT_ID, "name"),
        (_tampered_green_as_red(), GREEN_1_ID, "definition"),
        (_extra_property(), AMBER_STRICT_ID, "created_by_ref"),
        (_other_created(), AMBER_STRICT_ID, "created"),
    ],
    ids=["2.0 AMBER+STRICT as CLEAR", "1.0 GREEN as red", "extra property", "other created"],
)
def test_pinned_id_with_different_content_is_refused(
    inbound: dict[str, Any], ident: str, field: str
) -> None:
    with pytest.raises(InputError) as caught:
        check_marking_definition(inbound, source="bundle.json")
    assert ident in str(caught.value)
    assert field in str(caught.value)
    assert caught.value.place == ident
    assert caught.value.source == "bundle.json"


def test_unpinned_definition_is_not_checked_and_carries_no_tlp() -> None:
    lookalike = dict(_tampered_strict_as_clear())
    lookalike["id"] = "marking-definition--22222222-2222-4222-8222-222222222222"
    assert check_marking_definition(lookalike) is None
    assert level_of(lookalike["id"]) is None
