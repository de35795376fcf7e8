"""The literal prefilter: which rules of a group can possibly match this event.

Each rule is indexed by the literals of its :attr:`~CompiledRule.requirement` (one of
which any matching event contains, in a given field or in any field for keywords). One
Aho-Corasick pass per indexed field over the case-folded value finds every rule whose
literal occurs; only those, plus the rules with no usable literal, are evaluated.
"""

from __future__ import annotations

from collections.abc import Sequence

import ahocorasick

from shieldwall.detect.sigma.compiler import CompiledRule
from shieldwall.detect.sigma.context import EventView


def _automaton(literals: dict[str, set[int]]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for literal, indexes in literals.items():
        automaton.add_word(literal, tuple(sorted(indexes)))
    automaton.make_automaton()
    return automaton


class PrefilterGroup:
    """The rules that apply to one route key, with their literal index."""

    def __init__(self, rules: Sequence[CompiledRule]) -> None:
        self.rules = tuple(rules)
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
            field: _automaton(literals) for field, literals in by_field.items() if field is not None
        }
        """Automaton per indexed field. A route indexes 6 fields on average and an event has
        2 of them (EVTX corpus): :meth:`candidates` visits only those the event has."""
        self._field_names = frozenset(self._fields)
        keywords = by_field.get(None)
        self._keywords = _automaton(keywords) if keywords else None

    def candidates(self, view: EventView) -> Sequence[CompiledRule]:
        """Rules worth evaluating on this event, in rule order."""
        hit: set[int] = set()
        automata = self._fields
        for field in self._field_names.intersection(view.fields):
            automaton = automata[field]
            text = view.folded(field)
            if text is None:
                continue
            if type(text) is str:
                for _end, indexes in automaton.iter(text):
                    hit.update(indexes)
            else:
                for item in text:
                    for _end, indexes in automaton.iter(item):
                        hit.update(indexes)
        if self._keywords is not None:
            for _end, indexes in self._keywords.iter(view.joined_folded()):
                hit.update(indexes)
        if not hit:
            return self._always_rules
        rules = self.rules
        return [rules[index] for index in sorted(hit.union(self._always))]
