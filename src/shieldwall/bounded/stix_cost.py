"""What a STIX pattern would cost to parse, measured before any parser sees it.

``stix2-patterns`` builds an ANTLR parse tree recursively: a pattern of 20,000 ``OR``s or
one nested 2,000 parentheses deep exhausts the stack (issue 9). A pattern is therefore
measured first, by a linear scan that skips quoted literals: its length, its comparisons
(one per object path, ``type:property``) and its nesting of brackets and parentheses.
Here, below the stages and the applications, so that the intelligence desk
(``share/intel/pattern_budget.py``) and the live pattern engine
(``detect/stix_pattern``) refuse the same patterns.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PATTERN_CHARS = 16_384
"""The longest pattern parsed (real feeds rarely pass a few hundred characters)."""

MAX_COMPARISONS = 256
"""Comparisons in one pattern."""

MAX_NESTING = 32
"""Brackets and parentheses open at once."""


@dataclass(frozen=True, slots=True)
class PatternCost:
    """What a pattern would cost to parse."""

    comparisons: int
    nesting: int


def pattern_cost(pattern: str) -> PatternCost:
    """Comparisons and deepest nesting, outside quoted literals (``\\'`` escapes kept)."""
    comparisons = depth = deepest = 0
    quoted = escaped = False
    for char in pattern:
        if quoted:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == "'":
                quoted = False
            continue
        if char == "'":
            quoted = True
        elif char in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]":
            depth -= 1
        elif char == ":":
            comparisons += 1
    return PatternCost(comparisons, deepest)


def over_budget(pattern: str) -> str | None:
    """The limit a pattern passes, worded for a person; None when it is within all."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"pattern longer than {MAX_PATTERN_CHARS} characters"
    cost = pattern_cost(pattern)
    if cost.nesting > MAX_NESTING:
        return f"pattern nested deeper than {MAX_NESTING} levels"
    if cost.comparisons > MAX_COMPARISONS:
        return f"pattern of more than {MAX_COMPARISONS} comparisons"
    return None
