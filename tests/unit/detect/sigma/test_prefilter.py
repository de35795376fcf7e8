"""The prefilter's shortcuts: the value memo and the keyword screen change no answer."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.detect.sigma import index
from shieldwall.detect.sigma.context import EventView
from shieldwall.detect.sigma.index import HitMemo, PrefilterGroup, keyword_screen
from shieldwall.detect.sigma.loader import RuleSet

from .conftest import SigmaKit, rule_doc

LITERALS = ["mimikatz", "a b", "c:\\x", "é", "ss"]


def _group(kit: SigmaKit, *docs: dict[str, object]) -> tuple[RuleSet, PrefilterGroup]:
    ruleset = kit.load(*docs)
    return ruleset, PrefilterGroup(ruleset.rules, HitMemo())


def _titles(group: PrefilterGroup, fields: dict[str, object]) -> list[str]:
    return [rule.title for rule in group.candidates(EventView(fields))]


def test_a_value_seen_before_selects_the_same_rules(kit: SigmaKit) -> None:
    _, group = _group(
        kit,
        rule_doc({"s": {"Image|endswith": "\\cmd.exe"}, "condition": "s"}, title="cmd"),
        rule_doc({"s": {"Image|contains": "powershell"}, "condition": "s"}, title="ps"),
    )
    for _ in range(2):  # the second round answers from the memo
        assert _titles(group, {"Image": "C:\\Windows\\CMD.EXE"}) == ["cmd"]
        assert _titles(group, {"Image": "C:\\x\\PowerShell.exe"}) == ["ps"]
        assert _titles(group, {"Image": "C:\\x\\notepad.exe"}) == []


def test_the_memo_is_bounded_in_entries_and_value_length(
    kit: SigmaKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "MEMO_MAX_ENTRIES", 3)
    _, group = _group(kit, rule_doc({"s": {"Image|contains": "cmd"}, "condition": "s"}))
    memo = group._memo
    for number in range(10):
        group.candidates(EventView({"Image": f"cmd{number}"}))
        assert len(memo.entries) <= 3
    long_value = "cmd" + "x" * index.MEMO_MAX_CHARS
    assert len(group.candidates(EventView({"Image": long_value}))) == 1
    assert all(len(value) <= index.MEMO_MAX_CHARS for _serial, value in memo.entries)


def test_keyword_rules_are_found_behind_the_screen(kit: SigmaKit) -> None:
    _, group = _group(
        kit,
        rule_doc({"k": ["mimikatz", "sekurlsa::"], "condition": "k"}, title="kw"),
        rule_doc({"s": {"Image|contains": "cmd"}, "condition": "s"}, title="cmd"),
    )
    assert group._keyword_screen is not None
    assert _titles(group, {"Image": "cmd.exe", "CommandLine": "x SEKURLSA::logon"}) == [
        "kw",
        "cmd",
    ]
    assert _titles(group, {"Image": "cmd.exe", "CommandLine": "whoami", "Pid": 4}) == ["cmd"]


def test_a_literal_re2_cannot_take_leaves_the_automaton_alone() -> None:
    assert keyword_screen(["mimikatz", "\ud800x"]) is None


@settings(max_examples=300, deadline=None)
@given(
    literals=st.lists(st.sampled_from(LITERALS), min_size=1, max_size=4),
    text=st.text("mimkatz bc:\\xéßs\n.*", max_size=20),
)
def test_the_screen_says_yes_exactly_when_a_literal_occurs(literals: list[str], text: str) -> None:
    screen = keyword_screen(literals)
    assert screen is not None
    assert screen(text) is any(literal in text for literal in literals)
