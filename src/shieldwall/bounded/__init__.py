"""Bounded readers for what other members supply: each has a budget, and input past it is
refused or disabled with a message naming it, never run to the end.

- :func:`compile_member_regex`: regular expressions (Sigma ``re``, wildcard strings) on
  RE2, in linear time; RE2-less features on a fallback with a time budget per match.

Below the stages and the applications, so any of them (rules, MISP, TAXII, settings) uses
the same budgets.
"""

from shieldwall.bounded.patterns import (
    MATCH_BUDGET_SECONDS,
    MemberRegex,
    compile_member_regex,
)

__all__ = ["MATCH_BUDGET_SECONDS", "MemberRegex", "compile_member_regex"]
