"""Protective measures on every path against an independent oracle, on random coalitions
stored in SQLite and PostgreSQL.

Each example builds a random coalition (the policy oracle's generator: organisations with
clients and suspensions, communities by rule and by hand), stores it with a stand-in
person per organisation, and lets random organisations issue measures (unique addresses)
at random TLP levels to random communities and members, for one or three days. Random
members subscribe; some get a member allow-list entry; some measures are withdrawn; then
two days pass, so the one-day measures have expired.

The expectation is written here, independent of the gate: a member receives a measure
that is current (not withdrawn, not expired) and whose audience, as the policy oracle of
``tests/unit/policy`` computes it from TLP 2.0 (the member as a stand-in person no
TLP:RED names), holds the member; its own allow-list then takes its entries out of its
lists. For every organisation:

* every format's file, read back by its own syntax (plain lines, CSV column, STIX
  patterns, nftables elements, RPZ owners, Suricata destinations, Zeek rows, Sigma
  selection), holds exactly those addresses;
* the full version's signed manifest names every file with its SHA-256 and verifies;
* its TAXII collection (``Protective measures for <org>``) serves exactly those
  indicators, to it and to the centre's people; an organisation not subscribed, or
  suspended, has none, and any other caller asking for it — or for any collection while
  suspended — gets exactly the answer for an id nobody has;
* the measures listing shows what it issued and what it receives, current ones only.
"""

from __future__ import annotations

import csv
import io
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path

import orjson
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall import share
from shieldwall.model.errors import NotFoundError, ShieldwallError
from shieldwall.model.identity import OrgKind, OrgStatus, Principal, Role
from shieldwall.model.measures import MeasureFormat, Subscription
from shieldwall.model.sharing import Addressees, TlpLevel
from shieldwall.respond import IssueRequest, MeasureDesk, verify_manifest
from shieldwall.respond.measures.manifest import MANIFEST_FILE, public_key_pem
from shieldwall.runtime.measure_feed import DeskMeasureFeed
from shieldwall.share.taxii_server.collection_views import measures_collection
from shieldwall.share.taxii_server.cursor import CursorCodec
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.store import SqlStore
from tests.unit.policy.test_policy_oracle import Oracle as PolicyOracle
from tests.unit.policy.test_policy_oracle import World
from tests.unit.policy.test_policy_oracle import build_world as policy_world
from tests.unit.respond.measures.conftest import Clock
from tests.unit.respond.respond_world import empty_store
from tests.unit.respond.test_gate_oracle import (
    oracle_view,
    stand_in,
    storable,
    store_world,
    with_stand_ins,
)

OPERATOR = Principal("operator", "oracle-centre", Role.ADMIN, OrgKind.CENTRE)
LEVELS = {
    "clear": TlpLevel.CLEAR,
    "green": TlpLevel.GREEN,
    "amber": TlpLevel.AMBER,
    "amber+strict": TlpLevel.AMBER_STRICT,
}
ABSENT = "0b3f3c3e-8a1b-4c2d-9e4f-5a6b7c8d9e0f"
DAY = timedelta(days=1)


@dataclass
class Issued:
    """What the test itself issued: the oracle's facts."""

    value: str
    issuer: str
    level: str
    communities: frozenset[str]
    members: frozenset[str]
    days: int
    withdrawn: bool = False
    id: str = ""


@dataclass
class Facts:
    issued: list[Issued] = field(default_factory=list)
    subscribed: set[str] = field(default_factory=set)
    allowed: dict[str, set[str]] = field(default_factory=dict)


def member(world: World, org_id: str) -> Principal:
    kind = next(o.kind for o in world.orgs if o.id == org_id)
    return Principal(stand_in(org_id), org_id, Role.ANALYST, kind)


def build(world: World, desk: MeasureDesk, clock: Clock, rng: random.Random) -> Facts:
    facts = Facts()
    org_ids = [o.id for o in world.orgs]
    communities = [c.id for c in world.communities]
    for n in range(rng.randint(1, 12)):
        issuer = rng.choice(org_ids)
        wanted = Issued(
            f"10.77.{n // 10}.{n % 10}",
            issuer,
            rng.choice(list(LEVELS)),
            frozenset(c for c in communities if rng.random() < 0.3),
            frozenset(o for o in org_ids if rng.random() < 0.25),
            rng.choice([1, 3]),
        )
        request = IssueRequest(
            "ip",
            wanted.value,
            "oracle",
            clock.now + wanted.days * DAY,
            rng.choice([50, 100]),
            wanted.level,
            wanted.communities,
            wanted.members,
        )
        lead = Principal(f"lead-{issuer}", issuer, Role.LEAD, member(world, issuer).org_kind)
        try:
            wanted.id = desk.issue(lead, request, f"k{n}").measure.id
        except ShieldwallError:
            continue  # refused (a suspended issuer, say): nothing was issued
        facts.issued.append(wanted)
    for org in org_ids:
        if rng.random() < 0.7:
            desk.subscribe(OPERATOR, Subscription(org, "default"))
            facts.subscribed.add(org)
        if facts.issued and rng.random() < 0.3:
            value = rng.choice(facts.issued).value
            desk.allow(OPERATOR, org, "ip", value, "ours")
            facts.allowed.setdefault(org, set()).add(value)
    for measure in facts.issued:
        if rng.random() < 0.25:
            desk.withdraw(OPERATOR, measure.id, "oracle")
            measure.withdrawn = True
    clock.advance(2 * DAY)
    return facts


def receives(oracle: PolicyOracle, org_id: str, measure: Issued) -> bool:
    audience = Addressees(recipient_org_ids=measure.members, community_ids=measure.communities)
    return stand_in(org_id) in oracle_view(oracle, measure.issuer, LEVELS[measure.level], audience)


def current(measure: Issued) -> bool:
    return not measure.withdrawn and measure.days > 2


def expected_values(oracle: PolicyOracle, facts: Facts, org_id: str) -> set[str]:
    received = {m.value for m in facts.issued if current(m) and receives(oracle, org_id, m)}
    return received - facts.allowed.get(org_id, set())


# ---------------------------------------------------------------- every format, read back


def _rpz(owner: str) -> str:
    labels = owner.split(".")  # 32.d.c.b.a.rpz-ip
    return ".".join(reversed(labels[1:5]))


READERS = {
    MeasureFormat.PLAIN: lambda text: set(text.split()),
    MeasureFormat.CSV: lambda text: {row["value"] for row in csv.DictReader(io.StringIO(text))},
    MeasureFormat.STIX: lambda text: {
        o["pattern"].split("'")[1] for o in orjson.loads(text).get("objects", [])
    },
    MeasureFormat.NFTABLES: lambda text: {
        line.strip().rstrip(",") for line in text.splitlines() if line.startswith("      ")
    },
    MeasureFormat.RPZ: lambda text: {
        _rpz(line.split()[0]) for line in text.splitlines() if "rpz-ip" in line
    },
    MeasureFormat.SURICATA: lambda text: {
        line.split("[", 1)[1].split("]", 1)[0]
        for line in text.splitlines()
        if line.startswith("alert")
    },
    MeasureFormat.ZEEK: lambda text: {
        line.split("\t")[0] for line in text.splitlines() if not line.startswith("#")
    },
    MeasureFormat.SIGMA: lambda text: {
        value.removesuffix("/32")
        for rule in yaml.safe_load_all(text)
        if rule
        for value in rule["detection"]["selection"].get("DestinationIp|cidr", [])
    },
}


def outcome(call: Callable[[], object]) -> tuple[str, str]:
    try:
        call()
    except ShieldwallError as exc:
        return type(exc).__name__, str(exc)
    return "ok", ""


def check_lists(desk: MeasureDesk, org_id: str, wanted: set[str], folder: Path) -> None:
    for fmt, read in READERS.items():
        built = desk.build(OPERATOR, org_id, "default", fmt)
        assert read(built.files[fmt].decode()) == wanted, fmt
    full = desk.build(OPERATOR, org_id)
    assert {item.value for item in full.items} == wanted
    for fmt, content in full.files.items():
        (folder / full.file_name(fmt)).write_bytes(content)
    (folder / MANIFEST_FILE).write_bytes(full.manifest_bytes)
    verified = verify_manifest(folder / MANIFEST_FILE, public_key_pem(desk.signer))
    assert len(verified["files"]) == len(MeasureFormat)


def taxii_values(server: share.TaxiiServer, who: Principal, collection: str) -> set[str]:
    page = server.objects(who, "intel", collection, [])
    objects = orjson.loads(page.body).get("objects", [])
    return {o["pattern"].split("'")[1] for o in objects}


def check_taxii(
    server: share.TaxiiServer, world: World, facts: Facts, oracle: PolicyOracle
) -> None:
    """Each organisation's view of every measures collection (the centre reads them all)."""
    live = {o.id for o in world.orgs if o.status is OrgStatus.ACTIVE}
    ids = {o.id: measures_collection(o.id, o.name).id for o in world.orgs}
    titles = {o.id: f"Protective measures for {o.name}" for o in world.orgs}
    served = {o for o in facts.subscribed if o in live}
    for org in world.orgs:
        who = member(world, org.id)
        if org.id not in live:  # a suspended member has no API root at all
            assert outcome(partial(server.collections, who, "intel"))[0] == "NotFoundError"
        centre = org.id in live and org.kind is OrgKind.CENTRE
        if org.id in live:
            listed = server.collections(who, "intel").get("collections", [])
            mine = sorted(c["title"] for c in listed if c["title"].startswith("Protective"))
            readable = served if centre else served & {org.id}
            assert mine == sorted(titles[o] for o in readable)
        for other in ids:
            if other in served and ((other == org.id and org.id in live) or centre):
                got = taxii_values(server, who, ids[other])
                assert got == expected_values(oracle, facts, other), (org.id, other)
                continue
            for call in (server.objects, server.manifest):
                hidden = outcome(partial(call, who, "intel", ids[other], []))
                absent = outcome(partial(call, who, "intel", ABSENT, []))
                assert hidden[0] == absent[0] != "ok"
                assert hidden[1].replace(ids[other], "X") == absent[1].replace(ABSENT, "X")


def check_listing(desk: MeasureDesk, world: World, facts: Facts, oracle: PolicyOracle) -> None:
    for org in world.orgs:
        listed = {m.id for m in desk.measures(member(world, org.id))}
        wanted = {
            m.id
            for m in facts.issued
            if current(m) and (m.issuer == org.id or receives(oracle, org.id, m))
        }
        assert listed == wanted, org.id


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=2**64 - 1))
def test_every_measures_path_answers_what_the_oracle_says(database_url: str, seed: int) -> None:
    world = storable(with_stand_ins(policy_world(seed)))
    rng = random.Random(seed)
    store: SqlStore = empty_store(database_url)
    clock = Clock()
    try:
        store_world(store, world)
        desk = MeasureDesk(store, Signer.generate(), clock=clock)
        facts = build(world, desk, clock, rng)
        oracle = PolicyOracle(world)
        with tempfile.TemporaryDirectory() as folder:
            for org in world.orgs:
                if org.id not in facts.subscribed:
                    with pytest.raises(NotFoundError):
                        desk.build(OPERATOR, org.id)
                    continue
                wanted = expected_values(oracle, facts, org.id)
                check_lists(desk, org.id, wanted, Path(folder))
        server = share.TaxiiServer(
            store, CursorCodec(b"k" * 32), "oracle", 1 << 20, measures=DeskMeasureFeed(desk)
        )
        check_taxii(server, world, facts, oracle)
        check_listing(desk, world, facts, oracle)
    finally:
        store.close()
