"""Cross-organisation: a member's lists hold only what the gate lets that member receive.

The coalition (tests/unit/share/intel_world.py): alpha and bravo are members, charlie is a
client of alpha, the ``energy`` community holds bravo and charlie. Indicators are published
through the intelligence service and read back through the runtime's source, as in service.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from shieldwall.model.identity import OrgStatus, Principal
from shieldwall.model.measures import MeasureFormat, Subscription
from shieldwall.policy.roles import Role
from shieldwall.respond import IssueRequest, MeasureDesk
from shieldwall.share.intel.audience import Addressing
from shieldwall.store.sql.store import SqlStore
from tests.unit.respond.measures.conftest import CENTRE_LEAD, Clock
from tests.unit.share.intel_world import ENERGY, Session, indicator

OPERATOR = Principal(
    "operator",
    "centre",
    Role.ADMIN,
    __import__("shieldwall.model.identity").model.identity.OrgKind.CENTRE,
)
MEMBERS = ("alpha", "bravo", "charlie")


def subscribe_all(desk: MeasureDesk) -> None:
    for member in MEMBERS:
        desk.subscribe(OPERATOR, Subscription(member, "default"))


def listed(desk: MeasureDesk, member: str) -> set[str]:
    built = desk.build(OPERATOR, member, "default", MeasureFormat.PLAIN)
    return set(built.files[MeasureFormat.PLAIN].decode().split())


def test_no_member_receives_an_indicator_it_may_not_see(store: SqlStore, desk: MeasureDesk) -> None:
    alpha, bravo = Session(store, "p-alpha"), Session(store, "p-bravo")
    alpha.publish(
        [
            indicator("alpha", value="10.0.0.1"),  # GREEN: every member
            indicator("alpha", tlp="red", value="10.0.0.2"),  # RED: named people, never a list
            indicator("alpha", tlp="strict", value="10.0.0.3"),  # AMBER+STRICT: alpha only
        ]
    )
    alpha.publish(
        [indicator("alpha", value="10.0.0.4")], Addressing(community_ids=frozenset({"energy"}))
    )
    bravo.publish([indicator("bravo", tlp="red", value="10.0.0.5")])
    bravo.publish([indicator("bravo", tlp="amber", value="10.0.0.6")])
    subscribe_all(desk)
    assert listed(desk, "alpha") == {"10.0.0.1", "10.0.0.3", "10.0.0.4"}
    assert listed(desk, "bravo") == {"10.0.0.1", "10.0.0.4", "10.0.0.6"}
    assert listed(desk, "charlie") == {"10.0.0.1", "10.0.0.4"}


def test_issued_measures_reach_only_their_addressees(
    store: SqlStore, desk: MeasureDesk, clock: Clock
) -> None:
    subscribe_all(desk)
    until = clock.now + timedelta(days=1)
    desk.issue(CENTRE_LEAD, IssueRequest("ip", "192.0.2.1", "all", until), "k1")
    desk.issue(
        CENTRE_LEAD,
        IssueRequest(
            "ip", "192.0.2.2", "bravo only", until, tlp="amber+strict", members=frozenset({"bravo"})
        ),
        "k2",
    )
    desk.issue(
        CENTRE_LEAD,
        IssueRequest("ip", "192.0.2.3", "energy", until, communities=frozenset({"energy"})),
        "k3",
    )
    assert listed(desk, "alpha") == {"192.0.2.1"}
    assert listed(desk, "bravo") == {"192.0.2.1", "192.0.2.2", "192.0.2.3"}
    assert listed(desk, "charlie") == {"192.0.2.1", "192.0.2.3"}
    seen_by_alpha = {m.value for m in desk.measures(Principal("a", "alpha", Role.ANALYST))}
    assert seen_by_alpha == {"192.0.2.1"}


def test_a_suspended_member_receives_nothing(
    store: SqlStore, desk: MeasureDesk, clock: Clock
) -> None:
    subscribe_all(desk)
    Session(store, "p-alpha").publish([indicator("alpha", value="10.0.0.1")])
    desk.issue(
        CENTRE_LEAD, IssueRequest("ip", "192.0.2.1", "all", clock.now + timedelta(days=1)), "k"
    )
    with store.transaction() as tx:
        tx.organisations.set_status("bravo", OrgStatus.SUSPENDED)
    assert listed(desk, "bravo") == set()
    assert listed(desk, "alpha") == {"10.0.0.1", "192.0.2.1"}


def test_leaving_a_community_takes_effect_on_the_next_version(
    store: SqlStore, desk: MeasureDesk
) -> None:
    """Nothing in the intelligence or the measures changed: only the directory did, and
    the remembered inputs of the last build must not serve charlie again."""
    subscribe_all(desk)
    Session(store, "p-alpha").publish(
        [indicator("alpha", value="10.0.0.4")], Addressing(community_ids=frozenset({"energy"}))
    )
    assert listed(desk, "charlie") == {"10.0.0.4"}
    with store.transaction() as tx:
        tx.communities.update(replace(ENERGY, excluded=frozenset({"charlie"})))
    assert listed(desk, "charlie") == set()
    assert listed(desk, "bravo") == {"10.0.0.4"}
