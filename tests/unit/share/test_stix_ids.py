"""STIX ids and references in one canonical RFC 4122 form on every path (issue 9, low)."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shieldwall.share.intel.stix_ids import id_error, reference_errors
from tests.unit.share.intel_world import MARK, Session, indicator


@given(st.uuids(version=4), st.sampled_from(["indicator", "x-misp-object", "file"]))
def test_a_canonical_rfc_4122_id_is_accepted_and_its_upper_case_twin_refused(
    value: uuid.UUID, stix_type: str
) -> None:
    ident = f"{stix_type}--{value}"
    assert id_error(ident) == ""
    shouted = f"{stix_type}--{str(value).upper()}"
    if shouted != ident:
        assert "lower-case" in id_error(shouted)


@given(st.binary(min_size=16, max_size=16))
def test_any_uuid_outside_rfc_4122_is_refused(raw: bytes) -> None:
    value = uuid.UUID(bytes=raw)
    valid = value.variant == uuid.RFC_4122 and value.version is not None and 1 <= value.version <= 8
    assert (id_error(f"indicator--{value}") == "") is valid


def test_the_id_the_issue_found_and_references_anywhere_are_checked() -> None:
    assert id_error("x-misp-object--66666666-6666-6666-6666-666666666666")
    obj: dict[str, Any] = {
        "id": "email-message--0b2f6a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
        "body_multipart": [{"body_raw_ref": "file--0B2F6A0E-1C3D-4E5F-8A9B-0C1D2E3F4A5B"}],
        "granular_markings": [{"marking_ref": "marking-definition--1", "selectors": ["x"]}],
        "extensions": {"x-ext": {"target_refs": ["note--not-a-uuid"]}},
    }
    problems = sorted(reference_errors(obj))
    assert [p.split(":")[0] for p in problems] == [
        "body_multipart[0].body_raw_ref",
        "extensions.x-ext.target_refs",
        "granular_markings[0].marking_ref",
    ]


def test_every_write_path_refuses_an_upper_case_id_or_reference(alpha: Session) -> None:
    upper = indicator("alpha", ident=f"indicator--{str(uuid.uuid4()).upper()}")
    bad_ref = indicator("alpha", tlp=None)
    bad_ref["object_marking_refs"] = [MARK["green"].upper().replace("MARKING-", "marking-")]
    result = alpha.publish([upper, bad_ref])
    assert result.successes == []
    assert "must be lower-case" in result.failures[0].message
    assert "object_marking_refs" in result.failures[1].message
