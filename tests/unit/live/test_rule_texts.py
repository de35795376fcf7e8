"""Rule texts are hostile input: whatever a member sends, the answer is a rule or a
refusal listing its load errors — never another exception, never a partial load."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.live.rule_texts import check, identify
from shieldwall.model.errors import RuleSetError
from tests.unit.live.test_rules_api import RULE

LINES = RULE.splitlines()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_identified_or_refused(text: str) -> None:
    try:
        rule_id, title = identify(text)
    except RuleSetError as exc:
        assert exc.problems and all(problem.reason for problem in exc.problems)
        return
    assert 0 < len(rule_id) <= 200 and len(title) <= 500


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, len(LINES) - 1), max_size=4),
    st.lists(st.sampled_from(["|re", "|nosuch", ": [", "&a", "*a", "{", "'"]), max_size=3),
)
def test_a_damaged_rule_loads_whole_or_is_refused_with_its_errors(
    dropped: list[int], noise: list[str]
) -> None:
    lines = [line for number, line in enumerate(LINES) if number not in dropped]
    for number, fragment in enumerate(noise):
        place = (number * 3) % len(lines)
        lines[place] = lines[place].replace(":", fragment + ":", 1)
    text = "\n".join(lines) + "\n"
    try:
        rule_id, _title = identify(text)
        ruleset = check(text, "*", rule_id, ())
    except RuleSetError as exc:
        assert exc.problems
        return
    assert ruleset.rules and not ruleset.problems
