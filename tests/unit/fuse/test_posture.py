"""The posture formula (docs/posture.md): levels from open incidents and campaigns, decay
with age, sectors and the coalition over their members — worked examples and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shieldwall.fuse import PostureRules, all_levels, group_level, member_levels
from shieldwall.model.posture import CampaignSignal, IncidentSignal, Level, ScopeKind

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
RULES = PostureRules()
SEVERITY = st.sampled_from(["informational", "low", "medium", "high", "critical"])


def incident(org: str, severity: str, hours_ago: float = 0) -> IncidentSignal:
    return IncidentSignal(org_id=org, severity=severity, last_seen=NOW - timedelta(hours=hours_ago))


def campaign(org: str, members: int, hours_ago: float = 0) -> CampaignSignal:
    return CampaignSignal(org_id=org, members=members, last_seen=NOW - timedelta(hours=hours_ago))


def level(org: str, incidents: list[IncidentSignal], campaigns: list[CampaignSignal] = []) -> int:  # noqa: B006
    return member_levels(RULES, [org], incidents, campaigns, NOW)[org].level


def test_worked_examples_of_the_documentation() -> None:
    assert level("a", []) == 1  # nothing open: low
    assert level("a", [incident("a", "medium")]) == 2  # 3: guarded
    assert level("a", [incident("a", "high")]) == 3  # 8: elevated
    assert level("a", [incident("a", "high"), incident("a", "medium")]) == 3  # 11
    assert level("a", [incident("a", "critical")]) == 4  # 20: high
    assert level("a", [incident("a", "critical"), incident("a", "critical")]) == 5  # 40
    assert level("a", [], [campaign("a", 3)]) == 3  # 6 + 2 x 2 = 10: elevated
    assert level("a", [incident("a", "high", hours_ago=24)]) == 2  # 8 halved: 4, guarded
    # a critical incident seen within a half-life holds its member at high at least
    assert level("a", [incident("a", "critical", hours_ago=23)]) == 4
    assert level("a", [incident("a", "critical", hours_ago=49)]) == 2  # 20/4 = 5 (floor gone)


def test_other_members_signals_do_not_count() -> None:
    assert level("a", [incident("b", "critical")], [campaign("b", 5)]) == 1


def test_sector_is_the_highest_raised_by_spread() -> None:
    parts = [Level(kind=ScopeKind.MEMBER, key=k, level=v, score=0) for k, v in (("a", 3), ("b", 1))]
    assert group_level(RULES, ScopeKind.SECTOR, "s", parts).level == 3
    parts.append(Level(kind=ScopeKind.MEMBER, key="c", level=3, score=0))
    assert group_level(RULES, ScopeKind.SECTOR, "s", parts).level == 4
    assert group_level(RULES, ScopeKind.SECTOR, "s", []).level == 1


def test_every_scope_is_computed() -> None:
    found = all_levels(
        RULES,
        {"a": ["energy"], "b": ["energy", "water"], "c": []},
        [incident("b", "high")],
        [],
        NOW,
    )
    scopes = {(f.kind, f.key): f.level for f in found}
    assert scopes == {
        (ScopeKind.MEMBER, "a"): 1,
        (ScopeKind.MEMBER, "b"): 3,
        (ScopeKind.MEMBER, "c"): 1,
        (ScopeKind.SECTOR, "energy"): 3,
        (ScopeKind.SECTOR, "water"): 3,
        (ScopeKind.COALITION, "*"): 3,
    }


signals = st.lists(st.tuples(st.sampled_from(["a", "b"]), SEVERITY, st.floats(0, 500)), max_size=12)


@given(signals, st.tuples(SEVERITY, st.floats(0, 500)))
def test_one_more_open_incident_never_lowers_a_level(
    given_signals: list[tuple[str, str, float]], extra: tuple[str, float]
) -> None:
    before = [incident(o, s, h) for o, s, h in given_signals]
    after = [*before, incident("a", *extra)]
    sectors = {"a": ["x"], "b": ["x"]}
    old = {(f.kind, f.key): f.level for f in all_levels(RULES, sectors, before, [], NOW)}
    new = {(f.kind, f.key): f.level for f in all_levels(RULES, sectors, after, [], NOW)}
    assert all(new[scope] >= old[scope] for scope in old)
    assert all(1 <= value <= 5 for value in new.values())
    assert new[(ScopeKind.SECTOR, "x")] >= max(new[(ScopeKind.MEMBER, m)] for m in "ab")


@given(SEVERITY, st.floats(0, 1000), st.floats(0, 1000))
def test_older_never_weighs_more(severity: str, first: float, second: float) -> None:
    young, old = sorted((first, second))
    assert level("a", [incident("a", severity, young)]) >= level(
        "a", [incident("a", severity, old)]
    )
