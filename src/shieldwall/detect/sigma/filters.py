"""Sigma filter documents (checklist F1–F4) applied to their target rules.

pySigma does the rewriting: a filter whose logsource covers the rule's and whose
``filter.rules`` names the rule (by id or name, or ``any``) has its selections added to the
rule and its ``condition`` ANDed to the rule's (the spec writes it as ``not selection``,
so the effect is "rule and not selection"). A filter that fails to apply, or that names no
loaded rule, is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sigma.exceptions import SigmaError
from sigma.filters import SigmaFilter
from sigma.rule import SigmaRule

from shieldwall.model.errors import RuleError

T = TypeVar("T")


@dataclass
class Sourced(Generic[T]):
    """A pySigma object with the file it came from."""

    item: T
    source: str


def filter_identity(sigma_filter: SigmaFilter) -> str:
    """A filter's id, name or title, for messages."""
    return str(sigma_filter.id or sigma_filter.name or sigma_filter.title)


def apply_filters(
    filters: Sequence[Sourced[SigmaFilter]],
    rules: list[Sourced[SigmaRule]],
    problems: list[RuleError],
) -> list[Sourced[SigmaRule]]:
    """Apply every filter to the rules it targets; return the rules still loadable."""
    failed: set[int] = set()
    for entry in filters:
        sigma_filter = entry.item
        applied = 0
        for index, rule_entry in enumerate(rules):
            rule = rule_entry.item
            before = list(rule.detection.condition)
            try:
                sigma_filter.apply_on_rule(rule)
            except SigmaError as exc:
                failed.add(index)
                problems.append(
                    RuleError(
                        f"filter {filter_identity(sigma_filter)} ({entry.source}) cannot be "
                        f"applied: {exc.args[0] if exc.args else exc}",
                        source=rule_entry.source,
                        rule_id=str(rule.id or rule.title),
                    )
                )
                continue
            applied += rule.detection.condition != before
        if not applied:
            problems.append(
                RuleError(
                    "filter applies to no loaded rule (check filter.rules and logsource)",
                    source=entry.source,
                    rule_id=filter_identity(sigma_filter),
                )
            )
    return [entry for index, entry in enumerate(rules) if index not in failed]
