"""Rules are other members' input: no expression or wildcard of theirs can stall matching.

Two ways a rule can make a backtracking engine run for hours: a ``re`` value, and a wildcard
string, which the engine turns into an anchored expression. Both now run on RE2; a ``re``
value that needs the fallback and runs past its budget disables the rule, named, while
every other rule goes on matching.
"""

from __future__ import annotations

import fnmatch
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sigma.types import SigmaString

from shieldwall.bounded import MemberRegex
from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma import strings
from shieldwall.model.errors import InputError, RuleError
from tests.unit.detect.sigma.conftest import SigmaKit, event, rule_doc

HOSTILE = "a" * 5000 + "!"


@pytest.mark.parametrize(
    ("value", "found"),
    [("(a+)+$", False), ("(a|aa)+$", False), ("(.*a){20}$", False), ("(a+)+!", True)],
)
def test_M_re_catastrophic_expression_answers(kit: SigmaKit, value: str, found: bool) -> None:
    assert kit.matches({"s": {"C|re": value}, "condition": "s"}, {"C": HOSTILE}) is found


@pytest.mark.parametrize(
    ("modifier", "value", "fields", "expected"),
    [
        ("re|i", "(?<=x)a[0-9]+z", {"C": "xA123Z"}, True),
        ("re", "(?<=x)a[0-9]+z", {"C": "xA123Z"}, False),
        ("re|m", "(?<!q)^line2$", {"C": "line1\nline2\nline3"}, True),
        ("re", "(?<!q)^line2$", {"C": "line1\nline2\nline3"}, False),
        ("re|s", "(?=a)a.b", {"C": "a\nb"}, True),
        ("re", "(?=a)a.b", {"C": "a\nb"}, False),
    ],
)
def test_M_re_sub_modifiers_hold_on_the_fallback(
    kit: SigmaKit, modifier: str, value: str, fields: dict[str, Any], expected: bool
) -> None:
    assert kit.matches({"s": {f"C|{modifier}": value}, "condition": "s"}, fields) is expected


@pytest.fixture
def engines(monkeypatch: pytest.MonkeyPatch) -> list[MemberRegex]:
    """Every expression the wildcard matcher compiles, to check which engine runs it."""
    compiled: list[MemberRegex] = []
    real = strings.compile_member_regex

    def spy(pattern: str, flags: int = 0) -> MemberRegex:
        compiled.append(real(pattern, flags))
        return compiled[-1]

    monkeypatch.setattr(strings, "compile_member_regex", spy)
    return compiled


@pytest.mark.parametrize(
    "value", ["*a*a*a*a*a*a*a*a*b", "a*a*a*a*a*a*a*a*a*a*!?", "*?*?*?*?*?*?*?*?*b*"]
)
def test_wildcard_strings_run_on_re2(engines: list[MemberRegex], value: str) -> None:
    test = strings.any_pattern_test([strings.to_pattern(SigmaString(value))])
    assert [compiled.engine for compiled in engines] == ["re2"]
    assert test("a" * 5000) is False


@settings(max_examples=300, deadline=None)
@given(
    globs=st.lists(st.text(alphabet="ab*?.\n$(|", min_size=1, max_size=12), min_size=1, max_size=3),
    text=st.text(alphabet="ab.\n$(|", max_size=12),
)
def test_wildcard_strings_match_as_fnmatch_does(globs: list[str], text: str) -> None:
    """Same answers as before the engine changed: ``*`` any run, ``?`` one character, the
    rest (regex metacharacters included) literal; several values of a field OR-linked."""
    patterns = [strings.to_pattern(SigmaString(glob), cased=True) for glob in globs]
    expected = any(fnmatch.fnmatchcase(text, glob) for glob in globs)
    assert strings.any_pattern_test(patterns)(text) is expected


def _two_rules(kit: SigmaKit, hostile: str) -> Engine:
    ruleset = kit.load(
        rule_doc(
            {"s": {"C|re": hostile}, "condition": "s"},
            id="bad00000-0000-0000-0000-000000000001",
            title="hostile",
        ),
        rule_doc({"s": {"C|contains": "a"}, "condition": "s"}, title="plain"),
    )
    assert not ruleset.problems
    return Engine(ruleset)


def test_a_rule_past_its_budget_is_disabled_named_and_the_rest_go_on(kit: SigmaKit) -> None:
    engine = _two_rules(kit, "^(a|aa)+$(?<=a)")
    reported: list[RuleError] = []
    engine.report_to(reported.append)
    assert [d.rule_title for d in engine.match(event({"C": "aaaa"}))] == ["hostile", "plain"]

    assert [d.rule_title for d in engine.match(event({"C": HOSTILE}))] == ["plain"]

    (problem,) = reported
    assert engine.disabled == [problem]
    assert problem.rule_id == "bad00000-0000-0000-0000-000000000001"
    assert problem.source.endswith(".yml")
    assert "disabled" in problem.reason and "(a|aa)+" in problem.reason
    assert [d.rule_title for d in engine.match(event({"C": "aaaa"}))] == ["plain"]
    assert [rule.title for rule in engine.rules] == ["plain"]


def test_a_keyword_expression_past_its_budget_disables_its_rule(kit: SigmaKit) -> None:
    ruleset = kit.load(
        rule_doc({"k": {"|re": "(?<=a)(a*)*$(?<!!)"}, "condition": "k"}, title="kw"),
        rule_doc({"s": {"C|endswith": "!"}, "condition": "s"}, title="bang"),
    )
    engine = Engine(ruleset)
    assert [d.rule_title for d in engine.match(event({"C": HOSTILE}))] == ["bang"]
    assert [problem.rule_id for problem in engine.disabled] == [ruleset.rules[0].rule_id]


def _bomb_rule(title: str, depth: int = 7, width: int = 10) -> str:
    """A Sigma rule whose selection is a billion-laughs list of values."""
    anchors = "\n".join(
        f"  l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]"
        for level in range(1, depth + 1)
    )
    return (
        f"title: {title}\nlogsource: {{product: test}}\n"
        f"x-laughs:\n  l0: &l0 lol\n{anchors}\n"
        f"detection:\n  s: {{C: *l{depth}}}\n  condition: s\n"
    )


def test_an_alias_bomb_in_a_multi_document_rule_file_refuses_that_file(kit: SigmaKit) -> None:
    fine = rule_doc({"s": {"C": "x"}, "condition": "s"}, title="fine neighbour")
    bomb = kit.write(rule_doc({"s": {"C": "y"}, "condition": "s"}), _bomb_rule("bomb"))
    ruleset = kit.load(fine)
    (problem,) = ruleset.problems
    assert problem.source == str(bomb)
    assert "alias" in problem.reason
    assert [rule.title for rule in ruleset.rules] == ["fine neighbour"]


def test_bombs_in_a_batch_of_rule_files_are_reported_and_the_rest_load(kit: SigmaKit) -> None:
    bombs = [
        kit.write(_bomb_rule("deep"), name="a_deep.yml"),
        kit.write(_bomb_rule("wide", depth=1, width=500), name="c_wide.yml"),
        kit.write(_bomb_rule("binary", depth=20, width=2), name="e_binary.yml"),
    ]
    for name in ("b_ok.yml", "d_ok.yml", "f_ok.yml"):
        kit.write(rule_doc({"s": {"C": name}, "condition": "s"}, title=name), name=name)
    ruleset = kit.load()
    assert sorted(problem.source for problem in ruleset.problems) == [str(p) for p in bombs]
    assert sorted(rule.title for rule in ruleset.rules) == ["b_ok.yml", "d_ok.yml", "f_ok.yml"]
    assert ruleset.files_read == 6


def test_an_alias_bomb_in_a_placeholder_file_is_an_input_error_naming_it(kit: SigmaKit) -> None:
    placeholders = kit.folder / "placeholders.yml"
    placeholders.write_text(_bomb_rule("p").replace("x-laughs:", "admins:"), encoding="utf-8")
    rules = kit.folder / "rules"
    rules.mkdir()
    kit.folder = rules
    with pytest.raises(InputError) as raised:
        kit.load(rule_doc({"s": {"C": "x"}, "condition": "s"}), placeholders=placeholders)
    assert raised.value.source == str(placeholders)
    assert "alias" in raised.value.reason
