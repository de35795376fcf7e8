"""The literal prefilter: which rules of a group can possibly match this event.

Each rule is indexed by the literals of its :attr:`~CompiledRule.requirement` (one of
which any matching event contains, in a given field or in any field for keywords). One
Aho-Corasick pass per indexed field over the case-folded value finds every rule whose
literal occurs; only those, plus the rules with no usable literal, are evaluated.

Two shortcuts keep the Python work per event small (profile of the EVTX corpus):

- Logs repeat their values (an image path, a provider, a logon type): what a short string
  value selects is remembered per field automaton (:class:`HitMemo`), so a value seen
  before costs one dictionary lookup instead of a case-fold and an automaton pass (on one
  copy of the corpus, 41k field passes have 8k distinct values).
- Keywords (``Mimikatz Use`` applies to every Windows event) need all of an event's text;
  RE2 first answers whether any keyword literal occurs at all, which it does in C at
  twice the automaton's speed, and almost always says no. The automaton then runs only on
  the rare text that holds one, to say which.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence

import ahocorasick

from shieldwall.bounded import compile_member_regex
from shieldwall.detect.sigma.compiler import CompiledRule
from shieldwall.detect.sigma.context import EventView
from shieldwall.model.errors import InputError

MEMO_MAX_CHARS = 256
"""Longer values are scanned every time: they repeat less, and memory stays bounded."""
MEMO_MAX_ENTRIES = 16384
"""Values remembered per engine (under 10 MB even for values of 256 four-byte characters:
the values come from the logs); the memo is emptied when full."""
_serials = itertools.count()
"""Numbers the field automata for the memo: an ``id()`` could be reused by a new one."""

Hits = tuple[int, ...]


def _automaton(literals: dict[str, set[int]]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for literal, indexes in literals.items():
        automaton.add_word(literal, tuple(sorted(indexes)))
    automaton.make_automaton()
    return automaton


def _scan(automaton: ahocorasick.Automaton, text: str) -> Hits:
    found: list[int] = []
    for _end, indexes in automaton.iter(text):
        found.extend(indexes)
    return tuple(found)


class HitMemo:
    """The rule indexes a string value selected, per field automaton.

    Shared by an engine's groups; bounded in entries and in value length.
    """

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: dict[tuple[int, str], Hits] = {}
        """(automaton serial, value as logged) -> indexes; read directly on the hot path."""

    def hits(self, serial: int, automaton: ahocorasick.Automaton, value: str) -> Hits:
        """The indexes ``automaton`` finds in ``value`` case-folded, remembered if short."""
        found = _scan(automaton, value.casefold())
        if len(value) <= MEMO_MAX_CHARS:
            entries = self.entries
            if len(entries) >= MEMO_MAX_ENTRIES:
                entries.clear()
            entries[(serial, value)] = found
        return found


Screen = Callable[[str], bool]
_screens: dict[frozenset[str], Screen | None] = {}
MAX_SCREENS = 256
"""Screens kept by literal set: most groups share the same keywords (``Mimikatz Use``)."""


def keyword_screen(literals: Iterable[str]) -> Screen | None:
    """An RE2 test for "any of these literals occurs", or None where RE2 cannot take them.

    Sound as a screen: the literals are matched exactly, as the automaton matches them.
    """
    key = frozenset(literals)
    if key in _screens:
        return _screens[key]
    screen = _compile_screen(key)
    if len(_screens) >= MAX_SCREENS:
        _screens.clear()
    _screens[key] = screen
    return screen


def _compile_screen(literals: frozenset[str]) -> Screen | None:
    try:
        for literal in literals:
            literal.encode()
    except UnicodeError:  # a lone surrogate: leave those to the automaton
        return None
    source = "|".join(_quoted(literal) for literal in sorted(literals))
    try:
        compiled = compile_member_regex(source)
    except InputError:
        return None
    return compiled.search if compiled.engine == "re2" else None


def _quoted(literal: str) -> str:
    """The literal as RE2 syntax: letters and digits as they are, the rest as ``\\x{..}``."""
    return "".join(char if char.isalnum() else f"\\x{{{ord(char):x}}}" for char in literal)


class PrefilterGroup:
    """The rules that apply to one route key, with their literal index."""

    def __init__(self, rules: Sequence[CompiledRule], memo: HitMemo | None = None) -> None:
        self.rules = tuple(rules)
        self._memo = memo if memo is not None else HitMemo()
        always: list[int] = []
        by_field: dict[str | None, dict[str, set[int]]] = {}
        for index, rule in enumerate(self.rules):
            requirement = rule.requirement
            if requirement is None:
                always.append(index)
                continue
            for field, literal in requirement:
                by_field.setdefault(field, {}).setdefault(literal, set()).add(index)
        self._always = frozenset(always)
        self._always_rules = tuple(self.rules[index] for index in always)
        self._fields = {
            field: (next(_serials), _automaton(literals))
            for field, literals in by_field.items()
            if field is not None
        }
        """(serial, automaton) per indexed field. A route indexes 6 fields on average and an
        event has 2 of them (EVTX corpus): :meth:`candidates` visits only those it has."""
        self._field_names = frozenset(self._fields)
        keywords = by_field.get(None)
        self._keywords = _automaton(keywords) if keywords else None
        self._keyword_screen = keyword_screen(keywords) if keywords else None

    def candidates(self, view: EventView) -> Sequence[CompiledRule]:
        """Rules worth evaluating on this event, in rule order."""
        hit: set[int] = set()
        automata = self._fields
        memo = self._memo
        remembered = memo.entries
        fields = view.fields
        for field in self._field_names.intersection(fields):
            serial, automaton = automata[field]
            value = fields[field]
            if type(value) is str:
                found = remembered.get((serial, value))
                if found is None:
                    found = memo.hits(serial, automaton, value)
                if found:
                    hit.update(found)
                continue
            text = view.folds[field]
            if text is None:
                continue
            for item in (text,) if type(text) is str else text:
                for _end, indexes in automaton.iter(item):
                    hit.update(indexes)
        keywords = self._keywords
        if keywords is not None:
            text = view.joined_folded()
            screen = self._keyword_screen
            if screen is None or screen(text):
                for _end, indexes in keywords.iter(text):
                    hit.update(indexes)
        if not hit:
            return self._always_rules
        rules = self.rules
        return [rules[index] for index in sorted(hit.union(self._always))]
