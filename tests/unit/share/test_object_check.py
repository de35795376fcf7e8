"""The fast indicator check accepts only what ``stix2`` accepts, and validation as a whole
accepts exactly what the library accepts: the fast path changes the speed, not a verdict."""

from __future__ import annotations

from typing import Any

import pytest
import stix2
from hypothesis import example, given, settings
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.share.intel.object_check import is_plain_indicator
from shieldwall.share.intel.stix_ids import reference_errors
from shieldwall.share.intel.stix_values import value_errors
from shieldwall.share.intel.upgrade import upgraded
from shieldwall.share.intel.validate import validate

_GOOD: dict[str, Any] = {
    "type": "indicator",
    "spec_version": "2.1",
    "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    "created": "2024-01-01T00:00:00.000Z",
    "modified": "2024-01-01T00:00:00.000Z",
    "created_by_ref": "identity--0b2d5c1e-7e7d-4c3a-9d1e-3f5a2b6c7d8e",
    "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
    "pattern": "[ipv4-addr:value = '203.0.113.7']",
    "pattern_type": "stix",
    "valid_from": "2024-01-01T00:00:00Z",
    "labels": ["bench"],
}

_ODD_VALUES = st.sampled_from(
    [
        "",
        "x",
        5,
        True,
        None,
        [],
        [""],
        ["a", 3],
        {},
        101,
        -1,
        50,
        "2024-02-30T00:00:00Z",
        "2024-01-01T00:00:00.1234567Z",
        "2024-01-01 00:00:00Z",
        "2023-12-31T23:59:59.999Z",
        "2025-01-01T00:00:00Z",
        "indicator--8E2E2D2B-17d4-4cbf-938f-98ee46b3cd3f",
        "identity--8e2e2d2b-17d4-4cbf-738f-98ee46b3cd3f",
        "identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        ["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"],
        ["identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"],
        "2.0",
        "sigma",
        "[ipv4-addr:value = '1.2.3.4'",
    ]
)
_KEYS = st.sampled_from(
    [
        *_GOOD,
        "name",
        "description",
        "indicator_types",
        "pattern_version",
        "valid_until",
        "revoked",
        "confidence",
        "lang",
        "kill_chain_phases",
        "x_custom",
        "external_references",
    ]
)


@st.composite
def indicators(draw: st.DrawFn) -> dict[str, Any]:
    obj = dict(_GOOD)
    for key in draw(st.lists(_KEYS, max_size=4)):
        if draw(st.booleans()) and key in obj:
            del obj[key]
        else:
            obj[key] = draw(_ODD_VALUES)
    return obj


def _library_accepts(obj: dict[str, Any]) -> bool:
    try:
        stix2.parse(obj, allow_custom=True, version="2.1")
    except Exception:  # noqa: BLE001 - any failure is a refusal (an empty pattern: UnboundLocalError)
        return False
    return True


def _we_accept(obj: dict[str, Any]) -> bool:
    try:
        validate(obj)
    except InputError:
        return False
    return True


@settings(max_examples=500, deadline=None)
@given(indicators())
@example(dict(_GOOD))
@example({**_GOOD, "valid_until": "2023-12-31T23:59:59.999Z"})
@example({**_GOOD, "modified": "2023-12-31T23:59:59.999Z"})
def test_what_the_fast_check_accepts_the_library_accepts(obj: dict[str, Any]) -> None:
    """The pattern is read before the check (and judged there), so it is taken as read."""
    if is_plain_indicator(obj):
        assert _library_accepts({**obj, "pattern_type": "x-read-already"}), obj


@settings(max_examples=300, deadline=None)
@given(indicators())
@example({**_GOOD, "pattern": "[ipv4-addr:value = '1.2.3.4'"})
@example({**_GOOD, "pattern": ""})
@example({**_GOOD, "spec_version": "2.0"})
def test_validation_accepts_exactly_what_the_library_accepts(obj: dict[str, Any]) -> None:
    """...and the project's own stricter rules (lower-case RFC 4122 ids, value shapes the
    validator requires) allow: the fast path moves no verdict either way."""
    as_21 = upgraded(obj)  # a STIX 2.0 object ("spec_version": "2.0") is taken in its 2.1 form
    rules_allow = not (*reference_errors(as_21), *value_errors(as_21))
    assert _we_accept(obj) == (_library_accepts(as_21) and rules_allow), obj


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {
            "name": "C2 server",
            "description": "seen in phishing",
            "indicator_types": ["malicious-activity"],
        },
        {"valid_until": "2025-01-01T00:00:00Z", "confidence": 80, "revoked": False, "lang": "en"},
        {"pattern": "[domain-name:value = 'evil.example' OR url:value = 'http://evil.example/x']"},
    ],
)
def test_the_shapes_feeds_send_take_the_fast_path(extra: dict[str, Any]) -> None:
    assert is_plain_indicator({**_GOOD, **extra})


@pytest.mark.parametrize(
    "extra",
    [
        {"kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "execution"}]},
        {"x_vendor_score": 7},
        {"external_references": [{"source_name": "vendor", "url": "https://example.org"}]},
    ],
)
def test_anything_else_goes_to_the_library_and_still_passes(extra: dict[str, Any]) -> None:
    obj = {**_GOOD, **extra}
    assert not is_plain_indicator(obj)
    assert _we_accept(obj) and _library_accepts(obj)
