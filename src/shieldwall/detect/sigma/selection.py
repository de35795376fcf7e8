"""Rule selection (``--level``, ``--status``, ``--tag``, ``--rule-id``)."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from sigma.correlations import SigmaCorrelationRule
from sigma.rule import SigmaRule

from shieldwall.model.detection import Level


@dataclass(frozen=True, slots=True)
class RuleFacts:
    """What selection looks at, in plain values: a cached rule has these, not a pySigma rule."""

    level: Level | None
    status: str | None
    """Lower case, as Sigma writes it."""
    tags: tuple[str, ...]
    id: str | None
    name: str | None


def facts_of(rule: SigmaRule | SigmaCorrelationRule) -> RuleFacts:
    """The facts of a pySigma rule or correlation rule."""
    return RuleFacts(
        level=Level.parse(rule.level.name) if rule.level is not None else None,
        status=rule.status.name.lower() if rule.status is not None else None,
        tags=tuple(str(tag) for tag in rule.tags),
        id=str(rule.id) if rule.id is not None else None,
        name=rule.name or None,
    )


@dataclass(frozen=True)
class RuleSelection:
    """Which rules to keep; every criterion given must hold (unset = no constraint).

    ``levels`` keeps exactly those levels, ``min_level`` that level and above; ``tags``
    keeps a rule with any of the tags (``fnmatch`` patterns, case-insensitive, e.g.
    ``attack.t1059*``); ``rule_ids`` matches a rule's id or its name.
    """

    levels: frozenset[Level] | None = None
    min_level: Level | None = None
    statuses: frozenset[str] | None = None
    tags: frozenset[str] | None = None
    rule_ids: frozenset[str] | None = None

    def keeps(self, rule: SigmaRule | SigmaCorrelationRule | RuleFacts) -> bool:
        """True when the rule meets every criterion."""
        facts = rule if isinstance(rule, RuleFacts) else facts_of(rule)
        level = facts.level
        if self.levels is not None and level not in self.levels:
            return False
        if self.min_level is not None and (level is None or level < self.min_level):
            return False
        if self.statuses is not None and (facts.status or "") not in {
            s.lower() for s in self.statuses
        }:
            return False
        if self.tags is not None and not self._tag_kept(facts.tags):
            return False
        if self.rule_ids is not None:
            return bool({facts.id or "", facts.name or ""} & self.rule_ids)
        return True

    def _tag_kept(self, tags: tuple[str, ...]) -> bool:
        lowered = [tag.lower() for tag in tags]
        return any(fnmatchcase(tag, want.lower()) for tag in lowered for want in self.tags or ())
