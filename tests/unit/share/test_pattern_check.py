"""The fast pattern check accepts only what ``stix2-patterns`` (the OASIS reference) accepts."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stix2patterns.validator import run_validator

from shieldwall.model.errors import InputError
from shieldwall.share.intel.pattern_check import PLAIN_PATHS, is_plain_pattern
from shieldwall.share.intel.validate import validate

_PATHS = [
    *sorted(f"{kind}:{path}" for kind, path in PLAIN_PATHS),
    "process:name",
    "file:hashes.'SHA3-256'",
    "file:hashes.'NOT-A-HASH'",
    "ipv4-addr:value.x",
    "AND:value",
    "ipv4-addr:",
]
_LITERALS = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789abcdefABCDEF", min_size=30, max_size=130),
    st.text(alphabet=" '\\\"[]:=abc\t\n\u00a0\u00e9", max_size=12),
)


@st.composite
def patterns(draw: st.DrawFn) -> str:
    space = st.sampled_from(["", " ", "  ", "\t"])
    path = draw(st.sampled_from(_PATHS))
    quote = draw(st.sampled_from(["'", "'", "'", '"', ""]))
    return (
        draw(st.sampled_from(["[", "[", "", "(["]))
        + draw(space)
        + path
        + draw(space)
        + draw(st.sampled_from(["=", "=", "!=", "==", "LIKE"]))
        + draw(space)
        + quote
        + draw(_LITERALS)
        + quote
        + draw(space)
        + draw(st.sampled_from(["]", "]", "", "])", "] AND [x:y = 'z']"]))
    )


@settings(max_examples=600, deadline=None)
@given(patterns())
@example("[ipv4-addr:value = '203.0.113.7']")
@example("[file:hashes.'SHA-256' = 'abc']")
@example("[url:value = 'it''s']")
def test_every_pattern_accepted_here_is_accepted_by_stix2_patterns(pattern: str) -> None:
    if is_plain_pattern(pattern):
        assert run_validator(pattern, "2.1") == [], pattern


@pytest.mark.parametrize(
    "pattern",
    [
        "[ipv4-addr:value = '203.0.113.7']",
        "[ipv6-addr:value = '2001:db8::1']",
        "[domain-name:value = 'evil.example']",
        "[url:value = 'https://evil.example/a?b=c&d=e']",
        "[email-addr:value = 'phish@evil.example']",
        "[file:hashes.'SHA-256' = '" + "ab" * 32 + "']",
        "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
        "[ file:name = 'invoice.pdf.exe' ]",
    ],
)
def test_the_shapes_feeds_are_made_of_take_the_fast_path(pattern: str) -> None:
    assert is_plain_pattern(pattern)
    assert run_validator(pattern, "2.1") == []


def _indicator(pattern: str, **extra: str) -> dict[str, str]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z",
        **extra,
    }


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("[file:hashes.'SHA-256' = 'abc']", "not a valid SHA-256 hash"),
        ("[ipv4-addr:value = '203.0.113.7'", "pattern"),
        ("[url:value = 'a\\b']", "pattern"),
    ],
)
def test_a_bad_pattern_is_refused_with_the_reference_library_reason(
    pattern: str, reason: str
) -> None:
    indicator = _indicator(pattern)
    assert not is_plain_pattern(pattern)
    with pytest.raises(InputError, match=reason):
        validate(indicator)


def test_a_plain_pattern_object_is_still_checked_in_full_and_stored_unchanged() -> None:
    indicator = _indicator("[ipv4-addr:value = '203.0.113.7']", valid_until="2023-01-01T00:00:00Z")
    with pytest.raises(InputError, match="valid_until"):
        validate(indicator)
    del indicator["valid_until"]
    assert validate(indicator).obj["pattern_type"] == "stix"
