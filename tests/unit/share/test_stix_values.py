"""Values taken from input are checked where they come in (issue 14, STIX out): what is
stored passes stix2-validator object by object, so every export does."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import stix2validator
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.share.intel.stix_values import value_errors
from tests.unit.share.intel_world import Session

V5 = "0b2f6a0e-1c3d-5e5f-8a9b-0c1d2e3f4a5b"


def _validator_errors(obj: dict[str, Any]) -> list[str]:
    outcome = stix2validator.validate_instance(obj, stix2validator.ValidationOptions())
    return [str(error) for error in outcome.errors]


CASES = [
    {"type": "artifact", "id": f"artifact--{uuid.uuid4()}", "payload_bin": "not base64!"},
    {"type": "software", "id": f"software--{V5}", "name": "x", "languages": ["English"]},
    {"type": "process", "id": f"process--{V5}", "pid": 4},
    {"type": "domain-name", "id": f"domain-name--{V5}", "value": "no host name"},
    {"type": "email-addr", "id": f"email-addr--{V5}", "value": "nobody"},
    {"type": "windows-registry-key", "id": f"windows-registry-key--{V5}", "key": "HKLM\\x"},
]


def test_each_value_the_validator_refuses_is_refused_here_and_on_every_path(
    alpha: Session,
) -> None:
    for case in CASES:
        obj = {**case, "spec_version": "2.1"}
        assert _validator_errors(obj), case["type"]
        assert list(value_errors(obj)), case["type"]
    result = alpha.publish([{**case, "spec_version": "2.1"} for case in CASES])
    assert result.successes == [] and len(result.failures) == len(CASES)


def test_the_fixed_forms_pass_both() -> None:
    good = [
        {"type": "artifact", "id": f"artifact--{uuid.uuid4()}", "payload_bin": "aGk="},
        {"type": "software", "id": f"software--{V5}", "name": "x", "languages": ["en"]},
        {"type": "process", "id": f"process--{uuid.uuid4()}", "pid": 4},
        {"type": "windows-registry-key", "id": f"windows-registry-key--{V5}", "key": "HKEY_USERS"},
    ]
    for case in good:
        obj = {**case, "spec_version": "2.1"}
        assert list(value_errors(obj)) == [] and _validator_errors(obj) == [], case["type"]


@given(st.binary(max_size=64), st.text(max_size=16))
def test_payload_bin_is_accepted_exactly_when_it_is_base64(raw: bytes, junk: str) -> None:
    ident = f"artifact--{uuid.uuid4()}"
    encoded = base64.b64encode(raw).decode()
    assert list(value_errors({"type": "artifact", "id": ident, "payload_bin": encoded})) == []
    try:
        base64.b64decode(junk, validate=True)
        decodes = True
    except ValueError:
        decodes = False
    found = list(value_errors({"type": "artifact", "id": ident, "payload_bin": junk}))
    assert (found == []) is decodes
