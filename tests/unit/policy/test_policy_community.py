"""Communities built from rules on kind, country and sector, plus manual members and exclusions."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shieldwall.model.errors import ConfigError
from shieldwall.model.identity import Organisation, OrgKind
from shieldwall.model.sharing import Community, CommunityRule, TlpLevel
from shieldwall.policy import SnapshotDirectory, decide
from shieldwall.policy.markings import TLP_GREEN
from tests.unit.policy.policy_world import COMMUNITIES, ORGS, PEOPLE, directory, obj, principal

ORG = Organisation("x", "X", OrgKind.CIVIL, "NL", ("energy", "water"))


@pytest.mark.parametrize(
    ("rule", "matches"),
    [
        (CommunityRule(), True),
        (CommunityRule(kinds=frozenset({OrgKind.CIVIL})), True),
        (CommunityRule(kinds=frozenset({OrgKind.NATION})), False),
        (CommunityRule(countries=frozenset({"NL", "DE"})), True),
        (CommunityRule(countries=frozenset({"DE"})), False),
        (CommunityRule(sectors=frozenset({"water"})), True),
        (CommunityRule(sectors=frozenset({"finance"})), False),
        (CommunityRule(frozenset({OrgKind.CIVIL}), frozenset({"NL"}), frozenset({"gas"})), False),
    ],
)
def test_a_rule_ands_its_criteria(rule: CommunityRule, matches: bool) -> None:
    assert rule.matches(ORG) is matches


def test_rules_are_ored_manual_members_added_exclusions_win() -> None:
    rules = (
        CommunityRule(countries=frozenset({"DE"})),
        CommunityRule(sectors=frozenset({"water"})),
    )
    community = Community("c", "C", rules)
    assert community.includes(ORG)
    assert not replace(community, excluded=frozenset({"x"})).includes(ORG)
    manual = Community("m", "M", members=frozenset({"x"}))
    assert manual.includes(ORG)
    assert not replace(manual, excluded=frozenset({"x"})).includes(ORG)


def test_directory_lists_each_organisations_communities() -> None:
    snapshot = directory()
    assert snapshot.communities_of("nl-cert") == {"nl", "nations"}
    assert snapshot.communities_of("fr-mil") == {"energy", "nations"}
    assert snapshot.communities_of("de-cert") == frozenset()
    assert snapshot.communities_of("unknown") == frozenset()
    assert snapshot.clients_of("nl-cert") == {"nl-energy", "nl-water"}


def test_removal_from_a_community_takes_effect_on_the_next_request() -> None:
    shared = obj("de-bank", TLP_GREEN.id, community_ids=frozenset({"energy"}))
    assert decide(principal("p-nl-energy"), shared, directory()).allowed
    narrowed = [
        replace(c, excluded=frozenset({"nl-energy"})) if c.id == "energy" else c
        for c in COMMUNITIES
    ]
    after = SnapshotDirectory(ORGS, PEOPLE, narrowed)
    assert not decide(principal("p-nl-energy"), shared, after).allowed


def test_unmarked_data_is_never_default_open() -> None:
    with pytest.raises(ConfigError) as caught:
        SnapshotDirectory(ORGS, PEOPLE, (), {"nl-cert": TlpLevel.CLEAR})
    assert caught.value.key == "unmarked_default[nl-cert]"
