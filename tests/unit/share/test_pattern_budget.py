"""Pattern budgets (issue 9, items 3 and 4): deep or huge patterns are refused by name, fast,
and one request cannot buy more parsing than its share."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.share.intel.pattern_budget import (
    MAX_COMPARISONS,
    MAX_NESTING,
    REQUEST_COMPARISONS,
    PatternBudget,
    pattern_cost,
)
from shieldwall.share.intel.validate import validate

COMPARISON = "[domain-name:value = 'a.example']"


def indicator(pattern: str) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z",
    }


def ors(count: int) -> str:
    inner = " OR ".join(f"domain-name:value = 'd{i}.example'" for i in range(count))
    return f"[{inner}]"


def nested(depth: int) -> str:
    return "(" * depth + COMPARISON + ")" * depth


@pytest.mark.parametrize(
    ("pattern", "limit"),
    [
        (ors(20_000), "longer than"),
        (ors(MAX_COMPARISONS + 1), "comparisons"),
        (nested(2_000), "nested deeper"),
        (nested(MAX_NESTING + 1), "nested deeper"),
    ],
    ids=["20000-ors", "one-too-many", "2000-deep", "one-too-deep"],
)
def test_hostile_patterns_are_refused_naming_the_limit(pattern: str, limit: str) -> None:
    with pytest.raises(InputError) as refused:
        validate(indicator(pattern), source="taxii:c", place="objects[0]")
    assert limit in str(refused.value)
    assert "indicator--" in str(refused.value)


def test_patterns_within_the_limits_still_pass() -> None:
    assert validate(indicator(ors(MAX_COMPARISONS))).stix_type == "indicator"
    assert validate(indicator(nested(MAX_NESTING - 1))).stix_type == "indicator"


def test_one_request_spends_a_shared_budget() -> None:
    budget = PatternBudget()
    per_pattern = MAX_COMPARISONS // 2
    accepted = 0
    with pytest.raises(InputError, match="budget"):
        for _ in range(REQUEST_COMPARISONS):
            validate(indicator(ors(per_pattern)), budget=budget)
            accepted += 1
    assert accepted == REQUEST_COMPARISONS // per_pattern
    fresh = PatternBudget()  # the next request starts again
    assert validate(indicator(ors(per_pattern)), budget=fresh).stix_type == "indicator"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["(", ")", "[", "]", ":", "'", "\\", "a", " "]), max_size=200))
def test_cost_counts_only_outside_quotes(chars: list[str]) -> None:
    text = "".join(chars)
    cost = pattern_cost(text)
    assert 0 <= cost.comparisons <= text.count(":")
    assert 0 <= cost.nesting <= text.count("(") + text.count("[")
    quoted = "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    assert pattern_cost(quoted) == pattern_cost("")


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 4_000), st.sampled_from(["(", "["]))
def test_any_depth_gives_an_answer_never_a_crash(depth: int, opener: str) -> None:
    closer = ")" if opener == "(" else "]"
    pattern = opener * depth + COMPARISON + closer * depth
    try:
        validate(indicator(pattern))
    except InputError as refused:
        assert refused.reason
