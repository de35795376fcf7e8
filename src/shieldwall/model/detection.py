"""What detection emits: one :class:`Detection` per rule match or correlation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any

from shieldwall.model.event import Event, SourceRef


class Level(IntEnum):
    """Sigma rule levels, ordered so ``--level high`` can mean "high and above"."""

    INFORMATIONAL = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Level:
        """Parse a level name as Sigma writes it (case-insensitive)."""
        return cls[text.strip().upper()]


@dataclass(frozen=True, slots=True)
class AttackTechnique:
    """An ATT&CK technique resolved from a rule tag such as ``attack.t1059.001``."""

    id: str
    name: str
    tactics: tuple[str, ...] = ()


@dataclass(slots=True)
class Detection:
    """A rule (or correlation rule) that fired, with the evidence behind it."""

    rule_id: str
    rule_title: str
    level: Level
    tags: tuple[str, ...]
    timestamp: datetime | None
    source: SourceRef | None
    matched: dict[str, Any] = field(default_factory=dict)
    event: Event | None = None
    attack: tuple[AttackTechnique, ...] = ()
    rule_name: str | None = None
    """The rule's `name` (correlations may refer to rules by name)."""
    kind: str = "rule"
    """``rule`` for a detection rule, or the correlation type (``event_count`` ...)."""
    group: dict[str, Any] = field(default_factory=dict)
    """For correlations: the group-by values."""
    events: tuple[Event, ...] = ()
    """For correlations: the events behind the detection (bounded)."""
    count: int | None = None
    """For correlations: the count or aggregate that met the condition."""
