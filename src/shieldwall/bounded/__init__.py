"""Bounded readers for what other members supply: each has a budget, and input past it is
refused or disabled with a message naming it, never run to the end.

- :func:`compile_member_regex`: regular expressions (Sigma ``re``, wildcard strings) on
  RE2, in linear time; RE2-less features on a fallback with a time budget per match.
- :func:`load_yaml_documents`, :func:`load_yaml`: every YAML the project reads, with
  budgets on aliases, what they expand to, and nesting.

Below the stages and the applications, so any of them (rules, MISP, TAXII, settings) uses
the same budgets.
"""

from shieldwall.bounded.patterns import (
    MATCH_BUDGET_SECONDS,
    MemberRegex,
    compile_member_regex,
)
from shieldwall.bounded.yaml_loader import (
    DEFAULT_LIMITS,
    YamlLimits,
    load_yaml,
    load_yaml_documents,
)

__all__ = [
    "DEFAULT_LIMITS",
    "MATCH_BUDGET_SECONDS",
    "MemberRegex",
    "YamlLimits",
    "compile_member_regex",
    "load_yaml",
    "load_yaml_documents",
]
