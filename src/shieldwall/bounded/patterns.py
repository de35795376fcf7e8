"""Regular expressions that other members supply: linear time, or a time budget per match.

A Sigma rule's ``re`` value, and the wildcard strings we turn into expressions, come from
other organisations: treat them as hostile. Python's ``re`` backtracks, so ``(a+)+$``
against 50 ``a``s and a ``!`` runs for hours, and a wildcard string such as
``*a*a*a*a*a*a*a*a*b`` (nine ``.*`` in a row) takes seconds on 50 characters. Two engines,
in this order:

1. RE2 (``google-re2``): an automaton whose running time is linear in the subject
   whatever the pattern. It refuses what it cannot do in linear time: lookarounds,
   backreferences, atomic groups, possessive quantifiers, ``\\Z``, counts over 1,000.
2. For those patterns only, the ``regex`` package, which reads Python ``re`` syntax
   (``VERSION0``) and takes a ``timeout`` it checks inside its matching loop. Python's own
   ``re`` cannot be stopped without a thread or a signal (and a signal reaches only the
   main thread, while the API matches on others); refusing "dangerous" shapes statically
   misses the polynomial ones (``.*a.*a.*a(?=x)``). A timeout bounds every case.

A fallback match that runs past its budget raises :class:`BudgetExceededError` naming the
pattern; the caller disables whatever supplied it (the engine disables the rule and
reports it, see ``detect/engine.py``).

RE2 is the syntax of Go, and close to PCRE, as other Sigma backends run it. Where it reads
a pattern Python would read differently: ``\\d``, ``\\w``, ``\\s`` and ``\\b`` are ASCII, and
``$`` without ``m`` matches only at the very end (not before a final newline).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import re2
import regex

from shieldwall.model.errors import BudgetExceededError, InputError

MATCH_BUDGET_SECONDS = 0.2
"""Wall-clock time one fallback match may take. A legitimate expression over one field
takes microseconds; a catastrophic one does not finish at all, so the figure only sets
how long a hostile rule runs before it is disabled (once per process)."""

Engine = Literal["re2", "fallback"]
TextTest = Callable[[str], bool]

_FLAGS = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s"}
_FALLBACK_FLAGS = {
    re.IGNORECASE: regex.IGNORECASE,
    re.MULTILINE: regex.MULTILINE,
    re.DOTALL: regex.DOTALL,
}


@dataclass(frozen=True, slots=True)
class MemberRegex:
    """A compiled member-supplied expression; ``search`` and ``fullmatch`` answer yes or no.

    Both may raise :class:`BudgetExceededError` when ``engine`` is ``"fallback"``.
    """

    pattern: str
    engine: Engine
    search: TextTest
    fullmatch: TextTest


def compile_member_regex(
    pattern: str, flags: int = 0, *, budget: float = MATCH_BUDGET_SECONDS
) -> MemberRegex:
    """Compile for RE2, else for the budgeted fallback; :class:`InputError` if neither reads it.

    ``flags`` are Python's ``re.IGNORECASE``, ``re.MULTILINE`` and ``re.DOTALL`` (Sigma's
    ``i``, ``m`` and ``s``); any other flag is a programming error.
    """
    unknown = flags & ~sum(_FLAGS)
    if unknown:
        raise ValueError(f"unsupported regular expression flags {unknown:#x}")
    compiled = _compile_re2(pattern, flags)
    if compiled is not None:
        return _re2_regex(pattern, compiled)
    return _fallback_regex(pattern, flags, budget)


def _re2_options() -> Any:
    options = re2.Options()
    options.log_errors = False
    options.never_capture = True
    return options


_OPTIONS = _re2_options()


def _compile_re2(pattern: str, flags: int) -> Any | None:
    """RE2's program for the pattern, or None where RE2 refuses it (the fallback decides)."""
    letters = "".join(letter for flag, letter in _FLAGS.items() if flags & flag)
    prefix = f"(?{letters})" if letters else ""
    try:
        return re2.compile(prefix + pattern, _OPTIONS)
    except (re2.error, UnicodeError):
        return None


def _encoded(text: str) -> bytes:
    """UTF-8 for RE2; a lone surrogate (which JSON can carry) passes as its bytes."""
    return text.encode("utf-8", "surrogatepass")


def _re2_regex(pattern: str, compiled: Any) -> MemberRegex:
    program = getattr(compiled, "_regexp", None)
    if program is None or not _DIRECT_MATCH:
        return _re2_regex_public(pattern, compiled)
    unanchored, both = _DIRECT_MATCH

    def search(text: str) -> bool:
        data = text.encode("utf-8", "surrogatepass")  # as _encoded, one call less
        return program.Match(unanchored, data, 0, len(data))[0] != _NO_SPAN  # type: ignore[no-any-return]

    def fullmatch(text: str) -> bool:
        data = text.encode("utf-8", "surrogatepass")
        return program.Match(both, data, 0, len(data))[0] != _NO_SPAN  # type: ignore[no-any-return]

    return MemberRegex(pattern, "re2", search, fullmatch)


def _re2_regex_public(pattern: str, compiled: Any) -> MemberRegex:
    search_bytes = compiled.search
    fullmatch_bytes = compiled.fullmatch

    def search(text: str) -> bool:
        return search_bytes(_encoded(text)) is not None

    def fullmatch(text: str) -> bool:
        return fullmatch_bytes(_encoded(text)) is not None

    return MemberRegex(pattern, "re2", search, fullmatch)


_NO_SPAN = (-1, -1)


def _direct_match() -> tuple[Any, Any] | None:
    """The anchors of RE2's own ``Match`` call, if this ``google-re2`` has them.

    ``search`` and ``fullmatch`` of the package wrap that call in a generator and build a
    match object; a yes-or-no answer needs neither, and the wrapper took twice as long as
    RE2 itself on the EVTX corpus (about 3 us a call). The public methods are used when the
    package's internals differ (checked once on a known pattern, both ways).
    """
    anchor = getattr(re2, "_Anchor", None)
    probe = _compile_re2("b+", 0)
    program = getattr(probe, "_regexp", None)
    if anchor is None or program is None:
        return None
    try:
        unanchored, both = anchor.UNANCHORED, anchor.ANCHOR_BOTH
        found = program.Match(unanchored, b"abbc", 0, 4)[0] == (1, 3)
        whole = program.Match(both, b"abbc", 0, 4)[0] == _NO_SPAN
    except (AttributeError, TypeError, IndexError):
        return None
    return (unanchored, both) if found and whole else None


_DIRECT_MATCH = _direct_match()


def _fallback_regex(pattern: str, flags: int, budget: float) -> MemberRegex:
    fallback_flags = regex.VERSION0
    for flag, fallback_flag in _FALLBACK_FLAGS.items():
        if flags & flag:
            fallback_flags |= fallback_flag
    try:
        compiled = regex.compile(pattern, fallback_flags)
    except (regex.error, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise InputError(f"bad regular expression {pattern!r}: {exc}") from exc

    def bounded(method: Callable[..., Any]) -> TextTest:
        def test(text: str) -> bool:
            try:
                return method(text, timeout=budget) is not None
            except TimeoutError:
                raise BudgetExceededError(
                    f"regular expression {pattern!r} ran past its budget of {budget} s "
                    f"on a value of {len(text):,} characters"
                ) from None

        return test

    return MemberRegex(pattern, "fallback", bounded(compiled.search), bounded(compiled.fullmatch))
