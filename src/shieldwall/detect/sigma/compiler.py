"""Compile a pySigma :class:`SigmaRule` once into a :class:`CompiledRule` the engine runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from shieldwall.detect.sigma.conditions import ConditionCompiler
from shieldwall.detect.sigma.context import EventView
from shieldwall.detect.sigma.logsource import Route, route_for
from shieldwall.detect.sigma.nodes import Leaf, Node, Requirement, Test
from shieldwall.detect.sigma.placeholders import Placeholders
from shieldwall.detect.sigma.selection import RuleFacts, facts_of
from shieldwall.model.detection import Level
from shieldwall.model.errors import RuleError


@dataclass(eq=False)
class CompiledRule:
    """A detection rule ready to run: metadata, route, prefilter literals, test."""

    rule_id: str
    title: str
    name: str | None
    level: Level
    status: str | None
    tags: tuple[str, ...]
    source: str
    route: Route
    node: Node
    test: Test
    requirement: Requirement | None
    sigma: SigmaRule | None = field(repr=False)
    """The pySigma rule; None for a rule rebuilt from the rule cache."""
    facts: RuleFacts = field(repr=False)
    """What selection reads."""

    @cached_property
    def evidence_leaves(self) -> tuple[Leaf, ...]:
        """The leaves that are not negated, in order: walked once, not once per detection
        (the walk's generators cost more than the tests when a rule fires on most events)."""
        return tuple(leaf for leaf, negated in self.node.leaves() if not negated)

    def explain(self, view: EventView) -> dict[str, Any]:
        """Field → value of every (non-negated) leaf that matched: the evidence."""
        matched: dict[str, Any] = {}
        for leaf in self.evidence_leaves:
            if not leaf.test(view):
                continue
            if leaf.field is None:
                matched.setdefault("keywords", True)
            elif leaf.field in view.fields:
                matched[leaf.field] = view.fields[leaf.field]
        return matched


def rule_identity(rule: SigmaRule, source: str) -> str:
    """The rule id Sigma gives, else its name, else file and title."""
    return identity_of(str(rule.id) if rule.id is not None else None, rule.name, rule.title, source)


def identity_of(rule_id: str | None, name: str | None, title: str, source: str) -> str:
    """:func:`rule_identity` from plain values (a cached rule has no pySigma rule)."""
    if rule_id is not None:
        return rule_id
    if name:
        return str(name)
    return f"{source}#{title}"


def compile_rule(rule: SigmaRule, source: str, placeholders: Placeholders) -> CompiledRule:
    """Compile one rule; any problem is a :class:`RuleError` naming the file and rule id."""
    rule_id = rule_identity(rule, source)
    try:
        node = ConditionCompiler(rule.detection, placeholders).compile()
    except RuleError as exc:
        raise RuleError(exc.reason, source=source, rule_id=rule_id) from exc
    except SigmaError as exc:
        raise RuleError(str(exc), source=source, rule_id=rule_id) from exc
    return CompiledRule(
        rule_id=rule_id,
        title=rule.title,
        name=rule.name,
        level=Level.parse(rule.level.name) if rule.level is not None else Level.INFORMATIONAL,
        status=rule.status.name.lower() if rule.status is not None else None,
        tags=tuple(str(tag) for tag in rule.tags),
        source=source,
        route=route_for(rule.logsource).narrowed(node.event_ids()),
        node=node,
        test=node.compile(),
        requirement=node.requirement(),
        sigma=rule,
        facts=facts_of(rule),
    )
