"""Conditions, checklist items C1–C12."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.detect.sigma.conftest import SigmaKit

SELECTIONS: dict[str, Any] = {
    "sel_a": {"A": "a1"},
    "sel_b": {"B": "b1"},
    "filter_c": {"C": "c1"},
    "_hidden": {"H": "h1"},
}
CASES: list[tuple[str, str, dict[str, Any], bool]] = [
    ("C1-and", "sel_a and sel_b", {"A": "a1", "B": "b1"}, True),
    ("C1-and-one", "sel_a and sel_b", {"A": "a1"}, False),
    ("C2-or", "sel_a or sel_b", {"B": "b1"}, True),
    ("C2-or-none", "sel_a or sel_b", {"C": "c1"}, False),
    ("C3-not", "sel_a and not filter_c", {"A": "a1"}, True),
    ("C3-not-filtered", "sel_a and not filter_c", {"A": "a1", "C": "c1"}, False),
    ("C4-parens", "sel_a and (sel_b or filter_c)", {"A": "a1", "C": "c1"}, True),
    ("C4-parens-no", "(sel_a and sel_b) or filter_c", {"A": "a1"}, False),
    ("C5-and-before-or", "sel_a or sel_b and filter_c", {"A": "a1"}, True),
    ("C5-and-before-or-2", "sel_a or sel_b and filter_c", {"B": "b1"}, False),
    ("C5-not-before-and", "not sel_a and sel_b", {"B": "b1"}, True),
    ("C5-not-before-and-2", "not sel_a and sel_b", {"A": "a1", "B": "b1"}, False),
    ("C6-1-of-them", "1 of them", {"C": "c1"}, True),
    ("C6-1-of-them-none", "1 of them", {"D": "d1"}, False),
    ("C7-all-of-them", "all of them", {"A": "a1", "B": "b1", "C": "c1"}, True),
    ("C7-all-of-them-missing", "all of them", {"A": "a1", "B": "b1"}, False),
    ("C8-1-of-pattern", "1 of sel_*", {"B": "b1"}, True),
    ("C8-1-of-pattern-none", "1 of sel_*", {"C": "c1"}, False),
    ("C9-all-of-pattern", "all of sel_*", {"A": "a1", "B": "b1"}, True),
    ("C9-all-of-pattern-one", "all of sel_*", {"A": "a1"}, False),
    ("C9-pattern-wildcard-front", "1 of *_c", {"C": "c1"}, True),
    ("C9-not-1-of", "sel_a and not 1 of filter_*", {"A": "a1", "C": "c1"}, False),
    ("C10-underscore-not-in-them", "all of them", {"A": "a1", "B": "b1", "C": "c1"}, True),
    ("C10-underscore-not-in-1-of-them", "1 of them", {"H": "h1"}, False),
    ("C10-underscore-by-name", "_hidden", {"H": "h1"}, True),
]


@pytest.mark.parametrize(
    ("check", "condition", "fields", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_condition(
    kit: SigmaKit, check: str, condition: str, fields: dict[str, Any], expected: bool
) -> None:
    assert kit.matches({**SELECTIONS, "condition": condition}, fields) is expected, check


def test_C11_condition_list_is_or(kit: SigmaKit) -> None:
    detection = {**SELECTIONS, "condition": ["sel_a and sel_b", "filter_c"]}
    assert kit.matches(detection, {"C": "c1"})
    assert kit.matches(detection, {"A": "a1", "B": "b1"})
    assert not kit.matches(detection, {"A": "a1"})


@pytest.mark.parametrize("condition", ["sel_a | count() by B > 5", "sel_a | near sel_b"])
def test_C12_legacy_aggregation_is_rejected_clearly(kit: SigmaKit, condition: str) -> None:
    ruleset = kit.load(
        {
            "title": "old",
            "id": "22222222-2222-2222-2222-222222222222",
            "logsource": {"product": "test"},
            "detection": {**SELECTIONS, "condition": condition},
        }
    )
    assert ruleset.rules == []
    assert len(ruleset.problems) == 1
    assert "correlation" in ruleset.problems[0].reason
    assert ruleset.problems[0].rule_id == "22222222-2222-2222-2222-222222222222"


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ("sel_a and nope", "nope"),
        ("1 of zzz*", "zzz"),
        ("sel_a and and", "condition"),
    ],
)
def test_C_bad_conditions_are_reported(kit: SigmaKit, condition: str, reason: str) -> None:
    ruleset = kit.load(
        {
            "title": "bad",
            "logsource": {"product": "test"},
            "detection": {**SELECTIONS, "condition": condition},
        }
    )
    assert ruleset.rules == []
    assert reason in ruleset.problems[0].reason
