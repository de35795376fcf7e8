"""Detection rules managed at the centre: the centre's rule set and each member's own.

A rule is one Sigma YAML text (a rule, or a correlation with the rules it names), owned
by the centre (:data:`CENTRE_SET`, applied to every member's events) or by one member
(applied to that member's events only). Every change (added, updated, enabled, disabled)
is a new :class:`RuleVersion`; nothing is overwritten, so the history of a rule is its
versions. ``seq`` numbers every change of every rule set: the largest is the rule sets'
version, which the detect workers poll to pick up changes without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

CENTRE_SET = "*"
"""The owner of the centre's rule set (not an organisation id: slugs hold no ``*``)."""


class RuleChange(StrEnum):
    """What a version did to its rule."""

    ADDED = "added"
    UPDATED = "updated"
    ENABLED = "enabled"
    DISABLED = "disabled"


@dataclass(frozen=True, slots=True, kw_only=True)
class NewRuleVersion:
    """A change about to be stored (the store numbers it)."""

    owner: str
    rule_id: str
    title: str
    text: str
    enabled: bool
    change: RuleChange
    author: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleVersion(NewRuleVersion):
    """One stored version of a rule."""

    seq: int
    """Its place among every change of every rule set (the rule sets' version)."""
    version: int
    """1 for the first version of this rule, then 2, 3, … (unique per owner and rule)."""
    created_at: datetime

    @property
    def scope(self) -> str:
        """``centre`` or the member's id, as people read it."""
        return "centre" if self.owner == CENTRE_SET else self.owner
