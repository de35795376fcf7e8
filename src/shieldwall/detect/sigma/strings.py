"""Sigma strings (wildcards ``*`` ``?``, escapes already resolved by pySigma) as fast tests.

A pattern with no wildcard is an equality, ``x*`` a prefix, ``*x`` a suffix, ``*x*`` a
substring; anything else becomes an anchored regular expression. Values of one field that
are OR-linked are grouped by kind, so forty ``endswith`` values cost one
``str.endswith(tuple)`` call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import methodcaller
from typing import Literal

import ahocorasick
from sigma.types import Placeholder, SigmaString, SpecialChars

from shieldwall.bounded import compile_member_regex
from shieldwall.model.errors import InputError, RuleError

Kind = Literal["exact", "prefix", "suffix", "contains", "glob"]
TextTest = Callable[[str], bool]
MANY_NEEDLES = 4
"""From this many OR-linked substrings of one field, an automaton beats repeated ``in``."""


@dataclass(frozen=True, slots=True)
class StringPattern:
    """One Sigma string in the form the matcher uses."""

    kind: Kind
    text: str
    """The literal for exact/prefix/suffix/contains, or the regex source for glob."""
    literal: str
    """The longest fixed part, case-folded: the prefilter needs it in the event."""


def _fixed_parts(value: SigmaString) -> list[str | SpecialChars]:
    parts: list[str | SpecialChars] = []
    for part in value.s:
        if isinstance(part, Placeholder):
            raise RuleError(f"placeholder %{part.name}% was not expanded")
        parts.append(part)
    return parts


def to_pattern(value: SigmaString, *, cased: bool = False) -> StringPattern:
    """Classify a Sigma string; fold its text unless ``cased``."""
    parts = _fixed_parts(value)

    def norm(text: str) -> str:
        return text if cased else text.casefold()

    texts = [part for part in parts if isinstance(part, str)]
    literal = max((text.casefold() for text in texts), key=len, default="")
    specials = [part for part in parts if not isinstance(part, str)]
    multi = SpecialChars.WILDCARD_MULTI
    if not specials:
        return StringPattern("exact", norm("".join(texts)), literal)
    if len(texts) == 1 and all(special is multi for special in specials):
        starts, ends = parts[0] is multi, parts[-1] is multi
        if len(parts) == 2:
            return StringPattern("suffix" if starts else "prefix", norm(texts[0]), literal)
        if len(parts) == 3 and starts and ends:
            return StringPattern("contains", norm(texts[0]), literal)
    source = "".join(
        re.escape(norm(part)) if isinstance(part, str) else (".*" if part is multi else ".")
        for part in parts
    )
    return StringPattern("glob", source, literal)


def any_pattern_test(patterns: Sequence[StringPattern]) -> TextTest:
    """One test that is true when the text matches any of the patterns."""
    tests: list[TextTest] = []
    exact = frozenset(p.text for p in patterns if p.kind == "exact")
    if exact:
        tests.append(exact.__contains__)
    # methodcaller: the str method is called from C, without a Python frame per test
    prefixes = tuple(p.text for p in patterns if p.kind == "prefix")
    if prefixes:
        tests.append(methodcaller("startswith", prefixes))
    suffixes = tuple(p.text for p in patterns if p.kind == "suffix")
    if suffixes:
        tests.append(methodcaller("endswith", suffixes))
    needles = [p.text for p in patterns if p.kind == "contains"]
    if len(needles) >= MANY_NEEDLES:
        tests.append(_many_contains_test(needles))
    else:
        tests.extend(_contains_test(needle) for needle in needles)
    globs = [p.text for p in patterns if p.kind == "glob"]
    if globs:
        tests.append(_glob_test(globs))
    return _any(tests)


def _glob_test(globs: Sequence[str]) -> TextTest:
    """The wildcard strings as one anchored expression, on the member-regex engine.

    Nine ``*`` in a row backtrack for seconds on 50 characters in Python's ``re``; RE2 is
    linear. What we build from wildcards is always RE2 syntax, so the time-budgeted fallback
    is never needed here (a lone surrogate in a rule would send it there, still bounded).
    """
    source = "|".join(f"(?:{g})" for g in globs)
    try:
        return compile_member_regex(source, re.DOTALL).fullmatch
    except InputError as exc:
        raise RuleError(exc.reason) from exc


def _many_contains_test(needles: Sequence[str]) -> TextTest:
    """Any of many substrings, in one Aho-Corasick pass instead of one ``in`` each."""
    automaton = ahocorasick.Automaton()
    for needle in needles:
        automaton.add_word(needle, needle)
    automaton.make_automaton()
    iterate = automaton.iter
    return lambda text: next(iterate(text), None) is not None


def _contains_test(needle: str) -> TextTest:
    test: TextTest = methodcaller("__contains__", needle)
    return test


def _any(tests: Sequence[TextTest]) -> TextTest:
    if len(tests) == 1:
        return tests[0]
    frozen = tuple(tests)

    def any_test(text: str) -> bool:
        for test in frozen:  # noqa: SIM110 - a loop beats any(<genexpr>) on the hot path
            if test(text):
                return True
        return False

    return any_test


def as_keyword(value: SigmaString) -> SigmaString:
    """A keyword value matches anywhere in a value: wrap it in ``*`` like ``contains``."""
    multi = SpecialChars.WILDCARD_MULTI
    if not value.startswith(multi):
        value = multi + value
    if not value.endswith(multi):
        value = value + multi
    return value
