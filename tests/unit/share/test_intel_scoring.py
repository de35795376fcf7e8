"""The confidence and decay model of indicators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shieldwall.share.intel.scoring import THRESHOLD, SightingFact, score_indicator

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def test_sightings_raise_per_organisation_and_refutations_lower() -> None:
    alone = score_indicator(50, T0, [], "ip", T0)
    twice_same_org = score_indicator(
        50, T0, [SightingFact("a", T0), SightingFact("a", T0)], "ip", T0
    )
    two_orgs = score_indicator(50, T0, [SightingFact("a", T0), SightingFact("b", T0)], "ip", T0)
    refuted = score_indicator(50, T0, [SightingFact("c", T0, refutes=True)], "ip", T0)
    assert alone.score == 50 and twice_same_org.score == 60 and two_orgs.score == 70
    assert refuted.score == 25


def test_score_halves_after_one_half_life_and_valid_until_marks_the_threshold() -> None:
    later = score_indicator(80, T0, [], "ip", T0 + timedelta(days=30))
    assert later.score == 40
    assert later.valid_until == T0 + timedelta(days=60)  # 80 -> 40 -> 20
    recent = score_indicator(
        80, T0, [SightingFact("a", T0 + timedelta(days=30))], "ip", T0 + timedelta(days=30)
    )
    assert recent.score == 90 and recent.valid_until > later.valid_until


@given(
    base=st.integers(0, 100),
    days=st.integers(0, 2000),
    sightings=st.lists(st.tuples(st.sampled_from("abc"), st.booleans()), max_size=6),
)
def test_scores_stay_in_range_and_decay_monotonically(
    base: int, days: int, sightings: list[tuple[str, bool]]
) -> None:
    facts = [SightingFact(org, T0, refutes) for org, refutes in sightings]
    now = score_indicator(base, T0, facts, "domain", T0 + timedelta(days=days))
    after = score_indicator(base, T0, facts, "domain", T0 + timedelta(days=days + 1))
    assert 0 <= after.score <= now.score <= 100
    if now.adjusted > THRESHOLD:
        assert now.valid_until > T0
