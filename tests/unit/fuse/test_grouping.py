"""The grouping rules, severity and status flow of the fuse stage, as pure logic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.fuse import (
    ALLOWED,
    GroupingRules,
    HitView,
    check_comment,
    check_status_change,
    partition,
    severity_of,
)
from shieldwall.model.alert import Entities
from shieldwall.model.errors import ConflictError, InputError
from shieldwall.model.incident import Incident, IncidentStatus

T0 = datetime(2026, 12, 1, tzinfo=UTC)
ENTITIES = Entities(
    hosts=("ws1",), users=("ALPHA\\Eve",), ips=("10.0.0.1",), hashes=("a" * 32,), domains=("x.io",)
)


def test_each_rule_contributes_its_links_and_can_be_turned_off() -> None:
    assert GroupingRules().links(ENTITIES) == {
        "host:ws1",
        "user:alpha\\eve",
        "ip:10.0.0.1",
        "hash:" + "a" * 32,
        "domain:x.io",
    }
    only_hosts = GroupingRules(by_user=False, by_observable=False)
    assert only_hosts.links(ENTITIES) == {"host:ws1"}
    assert GroupingRules(by_host=False, by_user=False, by_observable=False).links(ENTITIES) == set()


def test_severity_is_the_highest_level() -> None:
    assert severity_of(["low", "high", "medium"]) == "high"
    assert severity_of(["nonsense"]) == severity_of([]) == "informational"


def test_partition_chains_links_within_the_window_only() -> None:
    hour = timedelta(hours=1)
    hits = [
        HitView("a1", "alpha", T0, frozenset({"host:ws1"})),
        HitView("a2", "alpha", T0 + hour, frozenset({"host:ws1", "user:eve"})),
        HitView("a3", "alpha", T0 + 2 * hour, frozenset({"user:eve"})),
        HitView("a4", "alpha", T0 + 4 * hour, frozenset({"user:eve"})),  # too late
        HitView("a5", "bravo", T0, frozenset({"host:ws1"})),  # another member
        HitView("a4", "alpha", T0 + 9 * hour, frozenset()),  # a duplicate of a4
    ]
    assert partition(hits, hour) == {frozenset({0, 1, 2}), frozenset({3, 5}), frozenset({4})}


hit_views = st.lists(
    st.builds(
        HitView,
        st.sampled_from(["a", "b", "c", "d", "e"]),
        st.sampled_from(["alpha", "bravo"]),
        st.integers(0, 300).map(lambda m: T0 + timedelta(minutes=m)),
        st.frozensets(st.sampled_from(["host:1", "host:2", "user:u", "ip:x"]), max_size=2),
    ),
    max_size=12,
)


@given(hit_views, st.randoms(use_true_random=False))
def test_the_partition_covers_every_hit_once_in_any_order(hits: list[HitView], rng: object) -> None:
    groups = partition(hits, timedelta(minutes=30))
    assert sorted(i for g in groups for i in g) == list(range(len(hits)))
    order = list(range(len(hits)))
    rng.shuffle(order)  # type: ignore[attr-defined]
    shuffled = partition([hits[i] for i in order], timedelta(minutes=30))
    assert {frozenset(order[i] for i in g) for g in shuffled} == groups
    for group in groups:  # hits of one alert (of one member) are never apart
        inside = {(hits[i].org_id, hits[i].alert) for i in group}
        outside = {(h.org_id, h.alert) for j, h in enumerate(hits) if j not in group}
        assert not inside & outside


def incident(status: IncidentStatus, merged_into: int | None = None) -> Incident:
    return Incident(
        id=7,
        org_id="alpha",
        title="t",
        severity="high",
        status=status,
        assignee=None,
        close_reason=None,
        merged_into=merged_into,
        alert_count=1,
        first_seen=None,
        last_seen=None,
        created_at=T0,
        updated_at=T0,
    )


@pytest.mark.parametrize("start", list(IncidentStatus))
@pytest.mark.parametrize("to", list(IncidentStatus))
def test_the_status_flow_allows_exactly_the_documented_steps(
    start: IncidentStatus, to: IncidentStatus
) -> None:
    if to in ALLOWED[start]:
        kept = check_status_change(incident(start), to, "false positive")
        assert kept == ("false positive" if to is IncidentStatus.CLOSED else None)
    else:
        with pytest.raises(ConflictError):
            check_status_change(incident(start), to, "why")


def test_closing_needs_a_reason_and_a_merged_incident_stays_closed() -> None:
    with pytest.raises(InputError, match="reason"):
        check_status_change(incident(IncidentStatus.NEW), IncidentStatus.CLOSED, "  ")
    with pytest.raises(ConflictError, match="merged into 3"):
        check_status_change(incident(IncidentStatus.CLOSED, 3), IncidentStatus.IN_PROGRESS, "")
    with pytest.raises(InputError):
        check_comment(" ")
    assert check_comment(" seen on ws1 ") == "seen on ws1"
