"""Member-supplied regular expressions: linear on RE2, budgeted on the fallback, never a hang.

Asserted by outcome, not by timing: a catastrophic expression RE2 can run is run by RE2
(and answers correctly on a subject that would take Python's ``re`` hours); one it cannot
run raises :class:`BudgetExceededError` naming it instead of running to the end.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.bounded import compile_member_regex
from shieldwall.model.errors import BudgetExceededError, InputError

HOSTILE = "a" * 5000 + "!"
"""Exponential for a backtracking engine on every pattern below: 2**5000 paths."""

CATASTROPHIC = [
    ("(a+)+$", False),
    ("(a|a)*$", True),
    ("(a|aa)+$", False),
    ("(.*a){20}$", False),
    ("((a+)+)+$", False),
    ("(a*)*$", True),
    ("(?:a?){30}a{30}$", False),
    ("(\\w+\\s?)+$", False),
    ("^(a+|b)+(a+)+$", False),
    ("(([a-z])+.)+[A-Z]$", False),
    ("(.*){12}x", False),
    ("(?i)(A+)+$", False),
    ("(a+)+!", True),
]
"""(pattern, whether it is found in :data:`HOSTILE`)."""


@pytest.mark.parametrize(("pattern", "found"), CATASTROPHIC)
def test_catastrophic_patterns_run_on_re2_and_answer(pattern: str, found: bool) -> None:
    compiled = compile_member_regex(pattern)
    assert compiled.engine == "re2"
    assert compiled.search(HOSTILE) is found
    assert compiled.search("aaaa") is (re.search(pattern, "aaaa") is not None)


@pytest.mark.parametrize(
    "pattern",
    [
        "(a+)+$(?=x)",
        "(a|a)*$(?<!b)",
        "(a|aa)+(?!a)!x",
        "(.*a){20}(?=x)",
        "((a+)+)+\\1x",
        "(?<=a)(a|aa)+$",
        "(?<=a)(a*)*$(?<!!)",
    ],
)
def test_catastrophic_patterns_re2_cannot_run_exceed_their_budget(pattern: str) -> None:
    compiled = compile_member_regex(pattern, budget=0.02)
    assert compiled.engine == "fallback"
    with pytest.raises(BudgetExceededError) as raised:
        compiled.search(HOSTILE)
    assert repr(pattern) in str(raised.value)
    assert isinstance(raised.value, InputError)


SAFE_FALLBACK = [
    ("(?<=user=)admin", ["user=admin", "useradmin", "x user=admin y"]),
    ("(?<!\\\\)cmd\\.exe", ["c:\\cmd.exe", "xcmd.exe", "\\cmd.exe"]),
    ("powershell(?!\\.exe)", ["powershell -enc", "powershell.exe", "pwsh"]),
    ("(\\w+)=\\1", ["a=a", "ab=ab", "ab=cd"]),
    ("(?P<q>['\"]).*?(?P=q)", ["'quoted'", "\"mixed'", 'say "hi"']),
    ("(?>a+)b", ["aaab", "aaa", "b"]),
    ("a++b", ["aab", "ab", "a"]),
    ("end\\Z", ["the end", "end\n", "endless"]),
]


@pytest.mark.parametrize(("pattern", "subjects"), SAFE_FALLBACK)
def test_patterns_re2_lacks_match_like_python_on_the_fallback(
    pattern: str, subjects: list[str]
) -> None:
    compiled = compile_member_regex(pattern)
    assert compiled.engine == "fallback"
    for subject in subjects:
        assert compiled.search(subject) is (re.search(pattern, subject) is not None), subject
        assert compiled.fullmatch(subject) is (re.fullmatch(pattern, subject) is not None)


@pytest.mark.parametrize("extra", ["", "(?=.)"], ids=["re2", "fallback"])
@pytest.mark.parametrize(
    ("pattern", "flags", "subject", "expected"),
    [
        ("a[0-9]+z", 0, "xA123Z", False),
        ("a[0-9]+z", re.IGNORECASE, "xA123Z", True),
        ("^line2$", 0, "line1\nline2\nline3", False),
        ("^line2$", re.MULTILINE, "line1\nline2\nline3", True),
        ("a.b", 0, "a\nb", False),
        ("a.b", re.DOTALL, "a\nb", True),
        ("^A.B$", re.IGNORECASE | re.MULTILINE | re.DOTALL, "x\na\nb\ny", True),
    ],
)
def test_flags_i_m_s_on_both_engines(
    extra: str, pattern: str, flags: int, subject: str, expected: bool
) -> None:
    compiled = compile_member_regex(extra + pattern, flags)
    assert compiled.engine == ("re2" if not extra else "fallback")
    assert compiled.search(subject) is expected


def test_an_expression_neither_engine_reads_is_an_input_error() -> None:
    with pytest.raises(InputError, match="bad regular expression"):
        compile_member_regex("(unclosed")


def test_other_flags_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="flags"):
        compile_member_regex("a", re.VERBOSE)


def test_lone_surrogates_neither_crash_nor_escape_the_budget() -> None:
    assert compile_member_regex("x").search("\ud800x") is True
    compiled = compile_member_regex("\ud800")
    assert compiled.engine == "fallback"
    assert compiled.search("a\ud800") is True


# A grammar of the constructs RE2 shares with Python's ``re``, nested: every pattern it makes
# must run on RE2 and agree with ``re`` on short subjects (where ``re`` finishes quickly).
_ATOMS = st.sampled_from(["a", "b", ".", "[ab]", "\\w", "(?:)", "x?"])


def _nested(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    quantified = st.tuples(children, st.sampled_from(["*", "+", "?", "{2}", "{1,3}", "*?"]))
    return st.one_of(
        quantified.map(lambda pair: f"(?:{pair[0]}){pair[1]}"),
        st.lists(children, min_size=2, max_size=3).map(lambda parts: "(" + "|".join(parts) + ")"),
        st.lists(children, min_size=2, max_size=3).map("".join),
    )


NESTED = st.recursive(_ATOMS, _nested, max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(
    body=NESTED,
    anchored=st.booleans(),
    subject=st.text(alphabet="ab!", max_size=10),
)
def test_nested_quantifiers_run_on_re2_and_agree_with_re(
    body: str, anchored: bool, subject: str
) -> None:
    pattern = f"^{body}$" if anchored else body
    compiled = compile_member_regex(pattern)
    assert compiled.engine == "re2"
    assert compiled.search(subject) is (re.search(pattern, subject) is not None)
    compiled.search(HOSTILE)  # returns: where a backtracking engine may take hours


def test_re2_answers_through_its_own_match_call_here() -> None:
    """The installed ``google-re2`` exposes the call the fast path uses; if an upgrade
    removes it, the public methods take over and this test says the speed went with it."""
    from shieldwall.bounded import patterns

    assert patterns._DIRECT_MATCH is not None


@settings(max_examples=300, deadline=None)
@given(
    pattern=st.from_regex(r"[ab.()|*+?^$é]{1,8}", fullmatch=True),
    text=st.text("abAé\n\ud800", max_size=12),
    flags=st.sampled_from([0, re.IGNORECASE, re.DOTALL | re.MULTILINE]),
)
def test_re2_direct_call_answers_as_the_package_methods(
    pattern: str, text: str, flags: int
) -> None:
    """The fast path (RE2's ``Match`` without the package's generator and match object)
    says yes or no exactly as ``search`` and ``fullmatch`` of the package do."""
    from shieldwall.bounded import patterns

    program = patterns._compile_re2(pattern, flags)
    if program is None:
        return
    fast = patterns._re2_regex(pattern, program)
    public = patterns._re2_regex_public(pattern, program)
    assert fast.search(text) is public.search(text)
    assert fast.fullmatch(text) is public.fullmatch(text)
