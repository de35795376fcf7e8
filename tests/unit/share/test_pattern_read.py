"""One reading of a pattern gives what ``stix2-patterns`` gives: the same verdict, the same
first reason, the same comparisons; the plain fast path gives what the parser gives."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stix2patterns.inspector import INDEX_STAR
from stix2patterns.v21.pattern import Pattern
from stix2patterns.validator import run_validator

from shieldwall.share.intel.extract import pattern_terms
from shieldwall.share.intel.pattern_check import is_plain_pattern
from shieldwall.share.intel.pattern_read import (
    Comparison,
    PatternError,
    _read_with_parser,
    read_pattern,
)

_PATHS = st.sampled_from(
    [
        "ipv4-addr:value",
        "domain-name:value",
        "file:hashes.'SHA-256'",
        "file:hashes.MD5",
        "file:name",
        "process:command_line",
        "network-traffic:dst_ref.value",
        "x-custom:items[*].name",
        "x-custom:items[2].name",
        "email-message:from_ref.value",
        "AND:value",
    ]
)
_OPERATORS = st.sampled_from(["=", "!=", "<", ">=", "LIKE", "MATCHES", "IN", "ISSUBSET", "NOT ="])
_LITERALS = st.one_of(
    st.sampled_from(
        [
            "'203.0.113.7'",
            "'10.0.0.0/8'",
            "'" + "ab" * 32 + "'",
            "'d41d8cd98f00b204e9800998ecf8427e'",
            "('a', 'b')",
            "5",
            "t'2024-01-01T00:00:00Z'",
            "h'ff'",
            "'it\\'s'",
            "'unterminated",
        ]
    ),
    st.text(alphabet="ab'\\ ()", max_size=6).map(lambda text: f"'{text}'"),
)


@st.composite
def comparisons(draw: st.DrawFn) -> str:
    return f"{draw(_PATHS)} {draw(_OPERATORS)} {draw(_LITERALS)}"


@st.composite
def patterns(draw: st.DrawFn) -> str:
    parts = draw(st.lists(comparisons(), min_size=1, max_size=3))
    joiner = draw(st.sampled_from([" AND ", " OR ", "] AND [", "] FOLLOWEDBY ["]))
    body = "[" + joiner.join(parts) + "]"
    qualifier = draw(
        st.sampled_from(
            ["", " WITHIN 5 SECONDS", " REPEATS 2 TIMES", " WITHIN 1 SECONDS WITHIN 2 SECONDS"]
        )
    )
    return (
        draw(st.sampled_from(["", "(", " "]))
        + body
        + qualifier
        + draw(st.sampled_from(["", ")", " "]))
    )


def _reference_comparisons(pattern: str) -> tuple[Comparison, ...]:
    found = Pattern(pattern).inspect().comparisons
    return tuple(
        Comparison(kind, tuple("*" if s is INDEX_STAR else str(s) for s in path), op, literal)
        for kind, tests in found.items()
        for path, op, literal in tests
    )


@settings(max_examples=400, deadline=None)
@given(patterns())
@example("[ipv4-addr:value = '203.0.113.7'")
@example("ipv4-addr:value = '203.0.113.7'")
@example("[file:hashes.'SHA-256' = 'abc']")
@example("[a:b = 'c'] WITHIN 1 SECONDS WITHIN 2 SECONDS")
def test_the_verdict_and_first_reason_are_the_reference_librarys(pattern: str) -> None:
    errors = run_validator(pattern, "2.1")
    if errors:
        with pytest.raises(PatternError) as raised:
            read_pattern(pattern)
        assert str(raised.value) == str(errors[0])
    else:
        assert read_pattern(pattern) == _reference_comparisons(pattern)


_PLAIN_VALUES = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="'\\"),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        [
            "ipv4-addr:value",
            "url:value",
            "file:name",
            "file:hashes.'SHA-256'",
            "file:hashes.SHA256",
            "file:hashes.MD5",
        ]
    ),
    st.one_of(_PLAIN_VALUES, st.text(alphabet="0123456789abcdef", min_size=32, max_size=64)),
    st.sampled_from(["", " "]),
)
def test_the_plain_path_reads_what_the_parser_reads(path: str, value: str, space: str) -> None:
    pattern = f"[{space}{path}{space}={space}'{value}'{space}]"
    if is_plain_pattern(pattern):
        assert read_pattern(pattern) == _read_with_parser(pattern)


def test_indexed_observables_come_from_the_one_reading() -> None:
    pattern = (
        "[ipv4-addr:value = '203.0.113.7' OR domain-name:value IN ('evil.example', 'bad.example')"
        " OR url:value != 'https://good.example/']"
    )
    terms = {(t.kind, t.value) for t in pattern_terms(pattern)}
    assert ("ip", "203.0.113.7/32") in terms
    assert ("domain", "evil.example") in terms and ("domain", "bad.example") in terms
    assert not any(kind == "url" for kind, _ in terms)  # != compares nothing to index


def test_a_bad_pattern_has_no_terms_but_a_reason() -> None:
    with pytest.raises(PatternError, match="missing square brackets"):
        list(pattern_terms("ipv4-addr:value = '1.2.3.4'"))
