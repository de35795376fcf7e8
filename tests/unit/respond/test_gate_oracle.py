"""The gate over notifications and requests for assistance against an independent oracle,
on random coalitions stored in SQLite and PostgreSQL.

Each example builds a random coalition (organisations with clients and suspensions,
people with every role, active or not, communities by rule and by hand: the policy
oracle's generator), stores it, adds random channels (an organisation's, or a person's)
with random maximum levels, and sends random notifications and requests for assistance
with random TLP levels and audiences. The oracle of ``tests/unit/policy`` (audiences as
sets of people, from the TLP 2.0 text, with its own marking table) then says, for every
channel, whether its holder may receive each notification — an organisation's channel
stands for a stand-in person of that organisation whom no TLP:RED names — and for every
person, which requests they see. The outbox must hold exactly: no row where the holder
may not receive, a refused row where the item is above the channel's level, a pending
one otherwise; every person's list of requests must be exactly the oracle's.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.model.assistance import Need, NewRequest, Urgency
from shieldwall.model.errors import NotFoundError
from shieldwall.model.identity import OrgKind, Person, Principal, Role
from shieldwall.model.notification import Channel, ChannelType, DeliveryStatus, NewNotification
from shieldwall.model.sharing import Addressees, TlpLevel
from shieldwall.policy import ObjectDescriptor
from shieldwall.respond.assist import AssistDesk
from shieldwall.respond.assist.rules import through_the_centre
from shieldwall.respond.notify import enqueue
from shieldwall.store.sql.store import SqlStore
from tests.unit.policy.test_policy_oracle import Oracle as PolicyOracle
from tests.unit.policy.test_policy_oracle import World, random_descriptor
from tests.unit.policy.test_policy_oracle import build_world as policy_world
from tests.unit.respond.respond_world import empty_store

TLP2_IDS = {  # the oracle's own copy (docs/conformance/tlp.md)
    TlpLevel.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TlpLevel.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TlpLevel.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TlpLevel.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TlpLevel.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
STAFF = (Role.ADMIN, Role.LEAD, Role.ANALYST, Role.LIAISON)


def stand_in(org_id: str) -> str:
    """The oracle's person standing for an organisation as a whole."""
    return f"whole-{org_id}"


def storable(world: World) -> World:
    """The world as a database can hold it: parents that exist and come first."""
    index = {org.id: i for i, org in enumerate(world.orgs)}
    orgs = tuple(
        replace(org, parent_id=org.parent_id if index.get(org.parent_id or "", i) < i else None)
        for i, org in enumerate(world.orgs)
    )
    people = tuple(replace(p, email=f"{p.id}@oracle.example") for p in world.people)
    return replace(world, orgs=orgs, people=people)


def with_stand_ins(world: World) -> World:
    """The world the oracle reasons on: one active stand-in person per organisation."""
    extra = tuple(Person(stand_in(o.id), o.id, "whole", "w@x", Role.ANALYST) for o in world.orgs)
    return replace(world, people=(*world.people, *extra))


def store_world(store: SqlStore, world: World) -> None:
    with store.transaction() as tx:
        for org in world.orgs:
            tx.organisations.add(org)
        for person in world.people:
            tx.people.add(person, None)
        for community in world.communities:
            tx.communities.add(community)


def random_channels(rng: random.Random, world: World) -> list[Channel]:
    channels = []
    for org in world.orgs:
        for k in range(rng.randint(0, 2)):
            mine = [p.id for p in world.people if p.org_id == org.id]
            person = rng.choice(mine) if mine and rng.random() < 0.4 else None
            levels = list(TlpLevel) if person else list(TlpLevel)[:-1]
            channels.append(
                Channel(
                    f"{org.id}-c{k}",
                    org.id,
                    ChannelType.WEBHOOK,
                    "https://x.example/",
                    rng.choice(levels),
                    person_id=person,
                )
            )
    return channels


def audience_of(item: ObjectDescriptor) -> Addressees:
    return Addressees(**item.addressed())


def oracle_view(oracle: PolicyOracle, org_id: str, tlp: TlpLevel, audience: Addressees) -> set[str]:
    """Who may receive an item of ``org_id`` at ``tlp`` addressed so (oracle's markings)."""
    return oracle.audience(ObjectDescriptor("x", org_id, (TLP2_IDS[tlp],), **audience.addressed()))


def channel_holder(oracle: PolicyOracle, world: World, channel: Channel) -> str | None:
    if channel.person_id is None:
        return stand_in(channel.org_id)
    person = next(p for p in world.people if p.id == channel.person_id)
    return oracle.identity(Principal(person.id, person.org_id, person.role))


def centre_rule(world: World, tlp: TlpLevel, audience: Addressees) -> Addressees:
    """The documented rule, restated: AMBER, AMBER+STRICT or named recipients add the
    centre's organisations to the recipients (never at RED)."""
    if tlp is TlpLevel.RED or (tlp < TlpLevel.AMBER and not audience.recipient_org_ids):
        return audience
    centre = {o.id for o in world.orgs if o.kind is OrgKind.CENTRE}
    return replace(audience, recipient_org_ids=audience.recipient_org_ids | centre)


def check_notifications(store: SqlStore, world: World, rng: random.Random) -> None:
    oracle = PolicyOracle(with_stand_ins(world))
    channels = random_channels(rng, world)
    with store.transaction() as tx:
        for channel in channels:
            tx.notifications.add_channel(channel, "k" * 32)
    org_ids = [o.id for o in world.orgs]
    for n in range(rng.randint(1, 4)):
        item = random_descriptor(
            rng, f"n{n}", org_ids, [p.id for p in world.people], [c.id for c in world.communities]
        )
        sender, tlp, audience = rng.choice(org_ids), rng.choice(list(TlpLevel)), audience_of(item)
        new = NewNotification(
            org_id=sender,
            sender="oracle",
            event_kind="k",
            subject="s",
            body="b",
            tlp=tlp,
            idempotency_key=f"{sender}:{n}",
            **audience.addressed(),
        )
        with store.transaction() as tx:
            receipt = enqueue(tx, new)
            got = {
                d.channel_id: d.status
                for d in tx.notifications.of_notification(receipt.notification_id)
            }
        allowed = oracle_view(oracle, sender, tlp, audience)
        expected = {
            c.id: DeliveryStatus.REFUSED if tlp > c.max_tlp else DeliveryStatus.PENDING
            for c in channels
            if channel_holder(oracle, world, c) in allowed
        }
        assert got == expected, (tlp, sender, audience)


def check_requests(store: SqlStore, world: World, rng: random.Random) -> None:
    oracle = PolicyOracle(world)
    org_ids = [o.id for o in world.orgs]
    expected: dict[int, set[str]] = {}
    for n in range(rng.randint(1, 4)):
        item = random_descriptor(
            rng, f"r{n}", org_ids, [p.id for p in world.people], [c.id for c in world.communities]
        )
        org, tlp, audience = rng.choice(org_ids), rng.choice(list(TlpLevel)), audience_of(item)
        new = NewRequest(
            org_id=org,
            requester="oracle",
            title="t",
            description="",
            needs=(Need.CAPACITY,),
            urgency=Urgency.LOW,
            tlp=tlp,
            **audience.addressed(),
        )
        with store.transaction() as tx:
            stored = tx.assistance.add(through_the_centre(new, tx.organisations.list()))
        expected[stored.id] = oracle_view(oracle, org, tlp, centre_rule(world, tlp, audience))
    desk = AssistDesk(store)
    kinds = {o.id: o.kind for o in world.orgs}
    for person in world.people:
        if person.role not in STAFF:
            continue
        who = Principal(person.id, person.org_id, person.role, kinds[person.org_id])
        seen = {r.id for r in desk.page(who)}
        assert seen == {rid for rid, people in expected.items() if person.id in people}, person
        for rid in expected.keys() - seen:
            with pytest.raises(NotFoundError):
                desk.get(who, rid)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=2**64 - 1))
def test_notifications_and_requests_follow_the_oracle(database_url: str, seed: int) -> None:
    world = storable(policy_world(seed))
    rng = random.Random(seed)
    store = empty_store(database_url)
    try:
        store_world(store, world)
        check_notifications(store, world, rng)
        check_requests(store, world, rng)
    finally:
        store.close()
