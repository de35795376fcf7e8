"""Indicator confidence from sightings, and decay over time (documented in docs/sharing.md).

    adjusted  = clamp(base + 10 * min(confirming orgs, 3) - 25 * refuting orgs, 0, 100)
    score(t)  = adjusted * 0.5 ** (age(t) / half_life)
    valid_until = reference + half_life * log2(adjusted / THRESHOLD)   (reference if below)

``base`` is the indicator's STIX ``confidence`` (50 when absent). Each *organisation*
counts once, so one noisy sensor cannot inflate a score. A sighting refutes when it carries
``x_shieldwall_false_positive: true`` (or OpenCTI's ``x_opencti_negative: true``). ``age``
runs from the reference instant: the latest of the indicator's ``modified`` and the
confirming sightings' ``last_seen``. Half-lives follow how fast the observable goes stale.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

HALF_LIFE_DAYS = {
    "ip": 30,
    "domain": 90,
    "url": 60,
    "email": 90,
    "md5": 365,
    "sha1": 365,
    "sha256": 365,
    "sha512": 365,
}
DEFAULT_HALF_LIFE_DAYS = 90
THRESHOLD = 20.0
"""Below this score an indicator is no longer worth acting on: its valid_until."""


@dataclass(frozen=True, slots=True)
class SightingFact:
    """What scoring needs of one sighting."""

    org_id: str
    last_seen: datetime
    refutes: bool = False


@dataclass(frozen=True, slots=True)
class Score:
    """An indicator's current score and the instant it decays below the threshold."""

    score: float
    adjusted: float
    valid_until: datetime


def score_indicator(
    base: int | None,
    modified: datetime,
    sightings: Iterable[SightingFact],
    kind: str,
    now: datetime,
) -> Score:
    """The indicator's score now, under the model in the module docstring."""
    facts = list(sightings)
    confirming = {f.org_id for f in facts if not f.refutes}
    refuting = {f.org_id for f in facts if f.refutes}
    start = 50 if base is None else base
    adjusted = min(100.0, max(0.0, start + 10 * min(len(confirming), 3) - 25 * len(refuting)))
    seen = [f.last_seen for f in facts if not f.refutes]
    reference = max([modified, *seen])
    half_life = timedelta(days=HALF_LIFE_DAYS.get(kind, DEFAULT_HALF_LIFE_DAYS))
    age = max(timedelta(0), now - reference)
    score = adjusted * 0.5 ** (age / half_life)
    if adjusted <= THRESHOLD:
        return Score(score, adjusted, reference)
    return Score(score, adjusted, reference + half_life * math.log2(adjusted / THRESHOLD))
