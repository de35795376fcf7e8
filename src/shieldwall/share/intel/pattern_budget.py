"""Budgets on STIX patterns from members, checked in one pass before any parser sees them.

``stix2-patterns`` builds an ANTLR parse tree recursively: a pattern of 20,000 ``OR``s or
one nested 2,000 parentheses deep exhausts the stack, and 64 patterns of 450 comparisons
each kept a request busy for 16 seconds (issue 9). A pattern is therefore measured first,
by a linear scan that skips quoted literals: its length, its comparisons (one per object
path, ``type:property``) and its nesting of brackets and parentheses. Each indicator has a
limit of its own, and one request has a total across its indicators, so no member can buy
more parsing than a fair share with one request.
"""

from __future__ import annotations

from dataclasses import dataclass

from shieldwall.model.errors import InputError

MAX_PATTERN_CHARS = 16_384
"""The longest pattern parsed (real feeds rarely pass a few hundred characters)."""

MAX_COMPARISONS = 256
"""Comparisons in one pattern."""

MAX_NESTING = 32
"""Brackets and parentheses open at once."""

REQUEST_COMPARISONS = 4_096
"""Comparisons parsed for one request, across all its indicators."""


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


class PatternBudget:
    """The parsing one request may still spend; :meth:`spend` refuses past the limits."""

    def __init__(self, total: int = REQUEST_COMPARISONS) -> None:
        self.left = total

    def spend(self, pattern: str, *, source: str = "", place: str = "") -> None:
        """Charge one pattern to the request, or refuse it with the limit it passes."""
        if len(pattern) > MAX_PATTERN_CHARS:
            raise InputError(
                f"pattern longer than {MAX_PATTERN_CHARS} characters", source=source, place=place
            )
        cost = pattern_cost(pattern)
        if cost.nesting > MAX_NESTING:
            raise InputError(
                f"pattern nested deeper than {MAX_NESTING} levels", source=source, place=place
            )
        if cost.comparisons > MAX_COMPARISONS:
            raise InputError(
                f"pattern of more than {MAX_COMPARISONS} comparisons", source=source, place=place
            )
        if cost.comparisons > self.left:
            raise InputError(
                f"this request's pattern budget ({REQUEST_COMPARISONS} comparisons) is spent; "
                "send the rest in another request",
                source=source,
                place=place,
            )
        self.left -= cost.comparisons
