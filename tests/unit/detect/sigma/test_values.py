"""Value and matching semantics, checklist items V1–V13 (one table row per case)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.detect.sigma.conftest import SigmaKit

CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    # V1 case-insensitive by default, Unicode casefolding (not ASCII only)
    ("V1-ascii", {"s": {"Image": "C:\\Windows\\CMD.EXE"}}, {"Image": "c:\\windows\\cmd.exe"}, True),
    ("V1-unicode", {"s": {"User": "STRAẞE"}}, {"User": "strasse"}, True),
    ("V1-greek", {"s": {"Name": "ΣΊΣΥΦΟΣ"}}, {"Name": "σίσυφος"}, True),
    ("V1-different", {"s": {"Image": "cmd.exe"}}, {"Image": "cmd.exe2"}, False),
    # V2 wildcards
    ("V2-star", {"s": {"Image": "*\\cmd.exe"}}, {"Image": "C:\\x\\CMD.exe"}, True),
    ("V2-star-middle", {"s": {"Image": "C:\\\\*\\cmd.exe"}}, {"Image": "C:\\a\\b\\cmd.exe"}, True),
    ("V2-question", {"s": {"Code": "a?c"}}, {"Code": "abc"}, True),
    ("V2-question-one-only", {"s": {"Code": "a?c"}}, {"Code": "abbc"}, False),
    ("V2-star-no-match", {"s": {"Image": "*\\cmd.exe"}}, {"Image": "C:\\cmd.exe.bak"}, False),
    # V3 escaping
    ("V3-escaped-star", {"s": {"Cmd": "a\\*b"}}, {"Cmd": "a*b"}, True),
    ("V3-escaped-star-literal", {"s": {"Cmd": "a\\*b"}}, {"Cmd": "axxb"}, False),
    ("V3-escaped-question", {"s": {"Cmd": "what\\?"}}, {"Cmd": "what?"}, True),
    ("V3-plain-backslash", {"s": {"Path": "C:\\Temp"}}, {"Path": "c:\\temp"}, True),
    (
        "V3-double-backslash-then-wildcard",
        {"s": {"Path": "C:\\\\*"}},
        {"Path": "C:\\anything"},
        True,
    ),
    # V4 list = OR
    ("V4-list-second", {"s": {"Image": ["a.exe", "b.exe"]}}, {"Image": "B.EXE"}, True),
    ("V4-list-none", {"s": {"Image": ["a.exe", "b.exe"]}}, {"Image": "c.exe"}, False),
    # V5 map = AND
    ("V5-map-both", {"s": {"A": "1x", "B": "2x"}}, {"A": "1x", "B": "2x"}, True),
    ("V5-map-one", {"s": {"A": "1x", "B": "2x"}}, {"A": "1x", "B": "3x"}, False),
    # V6 list of maps = OR
    ("V6-list-of-maps", {"s": [{"A": "1x"}, {"B": "2x"}]}, {"B": "2x"}, True),
    ("V6-list-of-maps-none", {"s": [{"A": "1x"}, {"B": "2x"}]}, {"A": "2x"}, False),
    # V7 null = field absent or null
    ("V7-null-absent", {"s": {"A": "x1", "B": None}}, {"A": "x1"}, True),
    ("V7-null-null", {"s": {"A": "x1", "B": None}}, {"A": "x1", "B": None}, True),
    ("V7-null-present", {"s": {"A": "x1", "B": None}}, {"A": "x1", "B": "v"}, False),
    ("V7-null-empty-is-not-null", {"s": {"B": None}}, {"B": ""}, False),
    # V8 empty value
    ("V8-empty", {"s": {"B": ""}}, {"B": ""}, True),
    ("V8-empty-not-absent", {"s": {"B": ""}}, {}, False),
    ("V8-empty-not-value", {"s": {"B": ""}}, {"B": "x"}, False),
    # V9 numbers and coercion
    ("V9-int-vs-str", {"s": {"EventID": 4688}}, {"EventID": "4688"}, True),
    ("V9-str-vs-int", {"s": {"EventID": "4688"}}, {"EventID": 4688}, True),
    ("V9-int-vs-int", {"s": {"LogonType": 3}}, {"LogonType": 3}, True),
    ("V9-int-other", {"s": {"LogonType": 3}}, {"LogonType": "10"}, False),
    ("V9-bool", {"s": {"Enabled": True}}, {"Enabled": "true"}, True),
    ("V9-bool-json", {"s": {"Enabled": False}}, {"Enabled": False}, True),
    ("V9-bool-other", {"s": {"Enabled": True}}, {"Enabled": False}, False),
    # V10 keywords over all values; |all keywords = AND
    ("V10-keyword", {"k": ["mimikatz", "kiwi"]}, {"A": "ran MIMIKATZ.exe"}, True),
    ("V10-keyword-none", {"k": ["mimikatz", "kiwi"]}, {"A": "notepad"}, False),
    ("V10-keyword-number", {"k": [4711]}, {"A": 47110}, True),
    ("V10-keyword-all", {"k": {"|all": ["alpha", "beta"]}}, {"A": "alpha", "B": "beta"}, True),
    ("V10-keyword-all-one", {"k": {"|all": ["alpha", "beta"]}}, {"A": "alpha"}, False),
    # V12 modifier chains left to right
    (
        "V12-contains-all",
        {"s": {"C|contains|all": ["-nop", "-w hidden"]}},
        {"C": "powershell -NOP -W Hidden"},
        True,
    ),
    (
        "V12-contains-all-missing",
        {"s": {"C|contains|all": ["-nop", "-w hidden"]}},
        {"C": "powershell -NOP"},
        False,
    ),
    # V13 regex is case-sensitive by default
    ("V13-re-case", {"s": {"C|re": "^Abc"}}, {"C": "abc"}, False),
    ("V13-re", {"s": {"C|re": "^Ab[cd]+$"}}, {"C": "Abdc"}, True),
    # multi-valued event fields match if any element does
    ("list-field", {"s": {"Tags": "beta"}}, {"Tags": ["alpha", "BETA"]}, True),
]


@pytest.mark.parametrize(
    ("check", "detection", "fields", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_value_semantics(
    kit: SigmaKit, check: str, detection: dict[str, Any], fields: dict[str, Any], expected: bool
) -> None:
    name = next(iter(detection))
    assert kit.matches({**detection, "condition": name}, fields) is expected, check


def test_V7_null_inside_list_is_rejected_or_any(kit: SigmaKit) -> None:
    """V7: null is its own selection; inside a list pySigma treats it as one OR branch."""
    assert kit.matches({"s": {"B": [None, "x"]}, "condition": "s"}, {"B": "x"})
    assert kit.matches({"s": {"B": [None, "x"]}, "condition": "s"}, {})
    assert not kit.matches({"s": {"B": [None, "x"]}, "condition": "s"}, {"B": "y"})


def test_V11_placeholder_expanded_from_file(kit: SigmaKit) -> None:
    """V11: %name% is replaced by the file's values (OR); \\% stays a literal percent."""
    placeholders = kit.folder.parent / "placeholders.yml"
    placeholders.write_text("admins: [alice, 'bob*']\n", encoding="utf-8")
    rules = kit.folder / "rules"
    rules.mkdir()
    kit.folder = rules
    ruleset = kit.load(
        {
            "title": "p",
            "logsource": {"product": "test"},
            "detection": {
                "s": {"User|expand": "%admins%"},
                "t": {"Note": "50\\%"},
                "condition": "s or t",
            },
        },
        placeholders=placeholders,
    )
    assert not ruleset.problems
    from shieldwall.detect.engine import Engine
    from tests.unit.detect.sigma.conftest import event

    engine = Engine(ruleset)
    assert engine.match(event({"User": "ALICE"}))
    assert engine.match(event({"User": "bobby"}))
    assert not engine.match(event({"User": "carol"}))
    assert engine.match(event({"Note": "50\\%"}))


def test_V11_unexpandable_placeholder_is_reported(kit: SigmaKit) -> None:
    """V11: a rule whose placeholder has no value is reported, not loaded silently."""
    ruleset = kit.load(
        {
            "title": "p",
            "id": "11111111-1111-1111-1111-111111111111",
            "logsource": {"product": "test"},
            "detection": {"s": {"User|expand": "%nobody%"}, "condition": "s"},
        },
    )
    assert ruleset.rules == []
    assert len(ruleset.problems) == 1
    problem = ruleset.problems[0]
    assert "%nobody%" in problem.reason
    assert problem.rule_id == "11111111-1111-1111-1111-111111111111"
