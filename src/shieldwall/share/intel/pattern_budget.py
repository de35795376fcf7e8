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

from shieldwall.bounded.stix_cost import (
    MAX_COMPARISONS,
    MAX_NESTING,
    MAX_PATTERN_CHARS,
    PatternCost,
    over_budget,
    pattern_cost,
)
from shieldwall.model.errors import InputError

__all__ = [
    "MAX_COMPARISONS",
    "MAX_NESTING",
    "MAX_PATTERN_CHARS",
    "REQUEST_COMPARISONS",
    "PatternBudget",
    "PatternCost",
    "pattern_cost",
]

REQUEST_COMPARISONS = 4_096
"""Comparisons parsed for one request, across all its indicators."""


class PatternBudget:
    """The parsing one request may still spend; :meth:`spend` refuses past the limits."""

    def __init__(self, total: int = REQUEST_COMPARISONS) -> None:
        self.left = total

    def spend(self, pattern: str, *, source: str = "", place: str = "") -> None:
        """Charge one pattern to the request, or refuse it with the limit it passes."""
        refused = over_budget(pattern)
        if refused is not None:
            raise InputError(refused, source=source, place=place)
        cost = pattern_cost(pattern)
        if cost.comparisons > self.left:
            raise InputError(
                f"this request's pattern budget ({REQUEST_COMPARISONS} comparisons) is spent; "
                "send the rest in another request",
                source=source,
                place=place,
            )
        self.left -= cost.comparisons
