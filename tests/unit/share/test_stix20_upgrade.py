"""STIX 2.0 content (issue 14): upgraded to 2.1 on the way in, never served as 2.1 as is."""

from __future__ import annotations

from typing import Any

import orjson
import stix2validator
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.policy.markings import TLP1_GREEN
from shieldwall.share.intel.upgrade import OBSERVABLE_TYPES, is_stix20, upgraded
from tests.unit.share.intel_world import Session

CREATED = "2017-05-31T21:30:19.735Z"
GREEN_20 = {
    "type": "marking-definition",
    "id": TLP1_GREEN.id,
    "created": "2017-01-20T00:00:00.000Z",
    "definition_type": "tlp",
    "definition": {"tlp": "green"},
}


def _sdo(stix_type: str, tail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": stix_type,
        "id": f"{stix_type}--6a1f0000-0000-4000-8000-0000000020{tail}",
        "created": CREATED,
        "modified": CREATED,
        "object_marking_refs": [TLP1_GREEN.id],
        **extra,
    }


def _bundle_20() -> list[dict[str, Any]]:
    malware = _sdo("malware", "01", name="BadRAT", labels=["remote-access-trojan"])
    indicator = _sdo(
        "indicator",
        "02",
        pattern="[ipv4-addr:value = '198.51.100.3']",
        valid_from=CREATED,
        labels=["malicious-activity"],
    )
    relation = _sdo(
        "relationship",
        "03",
        relationship_type="indicates",
        source_ref=indicator["id"],
        target_ref=malware["id"],
    )
    return [GREEN_20, malware, indicator, relation]


def test_a_20_bundle_is_stored_and_served_as_valid_21(alpha: Session) -> None:
    result = alpha.publish(_bundle_20())
    assert result.failures == []
    bodies = {v.stix_id: orjson.loads(v.body) for v in result.stored}
    malware = bodies["malware--6a1f0000-0000-4000-8000-000000002001"]
    assert (malware["spec_version"], malware["is_family"]) == ("2.1", True)
    assert malware["malware_types"] == ["remote-access-trojan"]
    indicator = bodies["indicator--6a1f0000-0000-4000-8000-000000002002"]
    assert (indicator["pattern_type"], indicator["indicator_types"]) == (
        "stix",
        ["malicious-activity"],
    )
    assert {v.spec_version for v in result.stored} == {"2.1"}
    for body in bodies.values():
        outcome = stix2validator.validate_instance(body, stix2validator.ValidationOptions())
        assert [str(e) for e in outcome.errors] == [], body["id"]


def test_observables_and_21_objects_are_left_as_they_are() -> None:
    sco = {"type": "ipv4-addr", "id": "ipv4-addr--6a1f0000-0000-4000-8000-000000002009"}
    assert not is_stix20(sco) and upgraded(sco) is sco
    current = {**_sdo("tool", "10", name="x"), "spec_version": "2.1"}
    assert upgraded(current) is current
    assert upgraded(GREEN_20) == TLP1_GREEN.canonical


_PROPS = st.dictionaries(
    st.sampled_from(["name", "labels", "description", "pattern", "x_custom"]),
    st.one_of(st.text(max_size=8), st.lists(st.text(max_size=5), max_size=3)),
    max_size=4,
)


@given(
    stix_type=st.sampled_from(
        ["malware", "indicator", "tool", "report", "x-misp-object", *sorted(OBSERVABLE_TYPES)]
    ),
    spec=st.sampled_from([None, "2.0", "2.1"]),
    props=_PROPS,
)
def test_an_upgrade_only_adds_and_keeps_every_property(
    stix_type: str, spec: str | None, props: dict[str, Any]
) -> None:
    obj: dict[str, Any] = {"type": stix_type, "id": f"{stix_type}--x", **props}
    if spec is not None:
        obj["spec_version"] = spec
    new = upgraded(obj)
    for key, value in obj.items():
        if key != "spec_version":
            assert new[key] == value
    expected = "2.1" if stix_type not in OBSERVABLE_TYPES and spec in (None, "2.0") else spec
    assert new.get("spec_version") == expected
