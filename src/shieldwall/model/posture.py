"""Posture: a threat level for each member, each sector and the coalition, with its history.

Five levels, lowest first (``LEVELS``). The fuse stage computes them from the open
incidents and the campaigns touching each member (docs/posture.md gives the formula); the
store keeps the current level of each scope and every change of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

LEVELS = ("low", "guarded", "elevated", "high", "severe")
"""Posture levels, lowest first (level 1 to level 5)."""


class ScopeKind(StrEnum):
    """What a level is the level of."""

    MEMBER = "member"
    SECTOR = "sector"
    COALITION = "coalition"


COALITION_KEY = "*"
"""The key of the coalition's one scope."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentSignal:
    """What posture needs of an open incident: whose, how bad, how recent."""

    org_id: str
    severity: str
    last_seen: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class CampaignSignal:
    """What posture needs of a campaign touching a member: how wide, how recent."""

    org_id: str
    members: int
    last_seen: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Level:
    """One scope's level as computed: the level (1..5) and the score behind it."""

    kind: ScopeKind
    key: str
    level: int
    score: float

    @property
    def name(self) -> str:
        """The level's name (``low`` … ``severe``)."""
        return LEVELS[self.level - 1]


@dataclass(frozen=True, slots=True, kw_only=True)
class PostureEntry:
    """A stored level: the current one of a scope, or one change in its history."""

    id: int
    kind: ScopeKind
    key: str
    level: int
    previous: int | None
    """The level before this change (None: the scope's first level)."""
    score: float | None
    """The score behind the level; None where the viewer may see the level only."""
    at: datetime

    @property
    def name(self) -> str:
        """The level's name (``low`` … ``severe``)."""
        return LEVELS[self.level - 1]
