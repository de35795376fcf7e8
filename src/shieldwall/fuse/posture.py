"""Posture: the threat level of each member, each sector and the coalition (docs/posture.md).

A member's *score* adds up what threatens it now, each part fading with age (halved every
``half_life`` since it was last seen):

* every open incident of the member, weighted by its severity (``weights``);
* every campaign the member is part of, weighted by ``campaign_weight`` plus
  ``per_other_member`` for each other member it reaches.

The score falls into one of five levels by ``thresholds``; an open critical incident seen
within one half-life holds its member at ``high`` at least. A sector's level is the
highest of its members', raised one step when ``spread`` members or more of it stand at
``elevated`` or above (the same trouble at several operators of a sector is worse than at
one); the coalition's is the same rule over every member. Pure: the caller hands in the
signals and the time, so the same inputs give the same levels anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shieldwall.model.posture import (
    COALITION_KEY,
    LEVELS,
    CampaignSignal,
    IncidentSignal,
    Level,
    ScopeKind,
)

ELEVATED = LEVELS.index("elevated") + 1
HIGH = LEVELS.index("high") + 1


def _default_weights() -> dict[str, float]:
    return {"informational": 0.0, "low": 1.0, "medium": 3.0, "high": 8.0, "critical": 20.0}


@dataclass(frozen=True, slots=True)
class PostureRules:
    """The formula's parameters (settings ``posture_*``; docs/posture.md)."""

    half_life: timedelta = timedelta(hours=24)
    weights: Mapping[str, float] = field(default_factory=_default_weights)
    campaign_weight: float = 6.0
    per_other_member: float = 2.0
    thresholds: tuple[float, float, float, float] = (2.0, 8.0, 20.0, 40.0)
    """Scores from which a member stands at guarded, elevated, high and severe."""
    spread: int = 2
    """Members of a sector (or the coalition) at elevated or above that raise it a step."""

    def decay(self, now: datetime, seen: datetime) -> float:
        """How much of a signal is left: 1 when fresh, halved every half-life."""
        age = max((now - seen).total_seconds(), 0.0)
        return float(0.5 ** (age / max(self.half_life.total_seconds(), 1.0)))

    def level_of(self, score: float) -> int:
        """The level (1..5) a score falls into."""
        return 1 + sum(1 for bound in self.thresholds if score >= bound)


def member_levels(
    rules: PostureRules,
    members: Iterable[str],
    incidents: Iterable[IncidentSignal],
    campaigns: Iterable[CampaignSignal],
    now: datetime,
) -> dict[str, Level]:
    """Each member's level, from its open incidents and the campaigns it is part of."""
    scores = dict.fromkeys(members, 0.0)
    floors = dict.fromkeys(scores, 1)
    for incident in incidents:
        if incident.org_id not in scores:
            continue
        left = rules.decay(now, incident.last_seen)
        scores[incident.org_id] += rules.weights.get(incident.severity, 0.0) * left
        if incident.severity == "critical" and left >= 0.5:
            floors[incident.org_id] = HIGH
    for campaign in campaigns:
        if campaign.org_id not in scores:
            continue
        weight = rules.campaign_weight + rules.per_other_member * max(campaign.members - 1, 0)
        scores[campaign.org_id] += weight * rules.decay(now, campaign.last_seen)
    return {
        member: Level(
            kind=ScopeKind.MEMBER,
            key=member,
            level=max(rules.level_of(score), floors[member]),
            score=round(score, 3),
        )
        for member, score in scores.items()
    }


def group_level(rules: PostureRules, kind: ScopeKind, key: str, parts: Sequence[Level]) -> Level:
    """A sector's (or the coalition's) level over its members' levels."""
    if not parts:
        return Level(kind=kind, key=key, level=1, score=0.0)
    level = max(part.level for part in parts)
    if sum(1 for part in parts if part.level >= ELEVATED) >= rules.spread:
        level = min(level + 1, len(LEVELS))
    return Level(kind=kind, key=key, level=level, score=round(sum(p.score for p in parts), 3))


def all_levels(
    rules: PostureRules,
    sectors: Mapping[str, Sequence[str]],
    incidents: Iterable[IncidentSignal],
    campaigns: Iterable[CampaignSignal],
    now: datetime,
) -> list[Level]:
    """Every scope's level: each member (``sectors`` maps each to its sectors), each sector
    named by a member, and the coalition."""
    members = member_levels(rules, sectors, incidents, campaigns, now)
    by_sector: dict[str, list[Level]] = {}
    for member, names in sectors.items():
        for sector in set(names):
            by_sector.setdefault(sector, []).append(members[member])
    found = [members[member] for member in sorted(members)]
    found += [
        group_level(rules, ScopeKind.SECTOR, sector, by_sector[sector])
        for sector in sorted(by_sector)
    ]
    found.append(group_level(rules, ScopeKind.COALITION, COALITION_KEY, list(members.values())))
    return found
