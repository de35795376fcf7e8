"""Rule selection (``--level``, ``--status``, ``--tag``, ``--rule-id``)."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from sigma.correlations import SigmaCorrelationRule
from sigma.rule import SigmaRule

from shieldwall.model.detection import Level


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

    def keeps(self, rule: SigmaRule | SigmaCorrelationRule) -> bool:
        """True when the rule meets every criterion."""
        level = Level.parse(rule.level.name) if rule.level is not None else None
        if self.levels is not None and level not in self.levels:
            return False
        if self.min_level is not None and (level is None or level < self.min_level):
            return False
        if self.statuses is not None:
            status = rule.status.name.lower() if rule.status is not None else ""
            if status not in {s.lower() for s in self.statuses}:
                return False
        if self.tags is not None and not self._tag_kept(rule):
            return False
        if self.rule_ids is not None:
            names = {str(rule.id) if rule.id is not None else "", rule.name or ""}
            return bool(names & self.rule_ids)
        return True

    def _tag_kept(self, rule: SigmaRule | SigmaCorrelationRule) -> bool:
        tags = [str(tag).lower() for tag in rule.tags]
        return any(fnmatchcase(tag, want.lower()) for tag in tags for want in self.tags or ())
