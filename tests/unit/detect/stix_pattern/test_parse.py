"""Compiling patterns: the budgets before the parser, RE2 for expressions, clear refusals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.bounded.stix_cost import MAX_COMPARISONS, MAX_NESTING, MAX_PATTERN_CHARS
from shieldwall.detect.stix_pattern import compile_pattern
from shieldwall.detect.stix_pattern.parse import MAX_REPEATS
from shieldwall.detect.stix_pattern.values import matches, superset
from shieldwall.model.errors import InputError


def ors(count: int) -> str:
    return " OR ".join(f"[ipv4-addr:value = '10.0.0.{n % 250}']" for n in range(count))


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (ors(MAX_COMPARISONS + 1), "comparisons"),
        ("(" * (MAX_NESTING + 1) + "[a:b = 1]" + ")" * (MAX_NESTING + 1), "nested"),
        ("[file:name = '" + "x" * MAX_PATTERN_CHARS + "']", "longer"),
        ("(" * 5000 + "[a:b = 1]" + ")" * 5000, "nested"),  # would exhaust ANTLR's stack
        ("[ipv4-addr:value = '1.2.3.4'", "not a STIX 2.1 pattern"),
        ("[file:name MATCHES '(a)\\\\1']", "RE2"),  # a backreference: no linear-time engine
        (f"[file:name = 'x'] REPEATS {MAX_REPEATS + 1} TIMES", "REPEATS"),
        ("[file:name EXISTS]", "EXISTS"),
    ],
)
def test_hostile_or_unsupported_patterns_are_refused_with_the_reason(
    pattern: str, reason: str
) -> None:
    with pytest.raises(InputError, match=reason):
        compile_pattern("indicator--1", pattern)


def test_the_largest_pattern_within_budget_compiles() -> None:
    compiled = compile_pattern("indicator--1", ors(MAX_COMPARISONS))
    assert len(compiled.leaves) == MAX_COMPARISONS and compiled.plain


def test_catastrophic_backtracking_is_linear_on_re2() -> None:
    test = matches("(a+)+$")
    assert test("a" * 50_000 + "!") is False and test("aaa") is True


def test_plain_and_windowed_patterns_are_told_apart() -> None:
    assert compile_pattern("i", "[ipv4-addr:value IN ('1.1.1.1', '2.2.2.2')]").plain
    for pattern in (
        "[ipv4-addr:value = '1.1.1.1'] AND [domain-name:value = 'x']",
        "[ipv4-addr:value != '1.1.1.1']",
        "[ipv4-addr:value NOT = '1.1.1.1']",
        "[ipv4-addr:value = '1.1.1.1'] REPEATS 2 TIMES",
        "[network-traffic:dst_port = 1 AND network-traffic:src_port = 2]",
    ):
        assert not compile_pattern("i", pattern).plain, pattern


def test_issuperset_reads_a_bare_address_as_a_single_host() -> None:
    """A deliberate difference: ``stix2-matcher`` raises on an observed bare address."""
    assert superset("10.0.0.1")("10.0.0.0/24") and superset("10.0.0.1")("10.0.0.1")
    assert not superset("10.0.0.1")("10.0.1.0/24")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_compiles_or_is_refused_with_an_input_error(text: str) -> None:
    try:
        compiled = compile_pattern("indicator--1", text)
    except InputError as exc:
        assert str(exc)  # a reason, never a crash of another kind
        return
    assert compiled.leaves


TOKENS = (
    "[", "]", "(", ")", "AND", "OR", "NOT", "FOLLOWEDBY", "WITHIN", "REPEATS", "TIMES",
    "SECONDS", "START", "STOP", "0", "3", "-1", "1.5", "ipv4-addr:value", "file:hashes.'MD5'",
    "x:y[*].z", "x:y[0]", "=", "!=", "<", ">=", "IN", "LIKE", "MATCHES", "ISSUBSET",
    "ISSUPERSET", "'10.0.0.0/8'", "'a%'", "'('", "t'2024-01-01T00:00:00Z'", "h'0f'",
    "b'AAA='", "b'!!'", "true", ",",
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=14))
def test_token_soup_compiles_or_is_refused_with_an_input_error(tokens: list[str]) -> None:
    try:
        compiled = compile_pattern("indicator--1", " ".join(tokens))
    except InputError:
        return
    assert compiled.leaves
