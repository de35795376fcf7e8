"""Every read path of the intelligence store against an independent oracle.

Random coalitions (organisations with parents and clients, statuses, countries, kinds,
sectors; people, active or not, of every role; communities by rule, by hand and with
exclusions) publish random objects through the real store (SQLite): indicators with TLP
1.0/2.0 markings (or none) addressed to organisations, people, communities and ``REL TO``
countries, some in a second version with a different audience, reports over them and
sightings of them. Then every principal (the people, and stray principals that resolve to
nobody) reads through every path — REST search (paged), REST count, REST object by id,
TAXII objects (paged with ``next``), TAXII manifest, TAXII object by id, TAXII versions —
and every organisation is exported for (``shieldwall intel export --for ORG`` selects with
:func:`shieldwall.share.intel.export.select_for`).

The expectations come from the policy oracle (``tests/unit/policy/test_policy_oracle.py``),
written from ``docs/conformance/tlp.md`` as sets of people, independent of the gate, plus
the store's documented rules written here in the same style:

* an object's audience is that of its newest version, for every version;
* an unmarked sighting is TLP:AMBER+STRICT of its submitter, addressed to the producer of
  what it sights; a derived object (report, sighting) reaches only those who see it and
  all its contents, except its producer, who gets it as written (its refs are its own
  words; stripping them would tell it which ids are held by others: issue 9);
* organisation-level channels (TAXII collections, exports) carry at most
  TLP:AMBER+STRICT, never TLP:RED, and unmarked objects only back to their producer;
  exports are decided for the organisation as a whole (no person, so no TLP:RED).

Zero divergences, on each path, for each principal and object.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.model.errors import NotFoundError, PermissionDeniedError
from shieldwall.model.identity import Organisation, OrgStatus, Person, Principal, Role
from shieldwall.model.intel import IntelQuery, VersionSelector
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.export import select_for
from shieldwall.share.intel.identity import identity_id
from shieldwall.share.intel.publish import publish
from shieldwall.share.intel.search import SearchRequest
from shieldwall.share.intel.session import intel_session
from shieldwall.share.taxii_server import objects as taxii
from shieldwall.share.taxii_server.collection_views import ensure_collections
from shieldwall.share.taxii_server.context import API_ROOT, request_context
from shieldwall.share.taxii_server.cursor import CursorCodec
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore
from tests.unit.policy.test_policy_oracle import (
    COUNTRIES,
    ORACLE_TABLE,
    Oracle,
    World,
    pick,
    random_community,
    random_organisation,
)

STRICT_ID = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
ORG_CHANNEL_LEVELS = {"clear", "green", "amber", "amber+strict"}
NOW = datetime(2025, 1, 1, tzinfo=UTC)
CODEC = CursorCodec(b"k" * 32)
_TEMPLATE: list[Path] = []


# ---------------------------------------------------------------- the world


@dataclass
class Published:
    """What the oracle knows of one stored object: its versions and sharing facts."""

    stix_id: str
    kind: str
    producer: str
    versions: list[str]
    descriptor: ObjectDescriptor
    contents: tuple[str, ...] = ()
    body: dict[str, Any] = field(default_factory=dict)


@dataclass
class Coalition:
    world: World
    objects: dict[str, Published]
    principals: list[Principal]


def _template() -> Path:
    """A migrated empty database, copied for each example (migrating costs ~0.3 s)."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="oracle-template-"))
        engine = create_sql_engine(f"sqlite:///{folder / 'intel.db'}")
        migrate.upgrade(engine)
        engine.dispose()
        _TEMPLATE.append(folder / "intel.db")
    return _TEMPLATE[0]


def build_coalition(rng: random.Random) -> tuple[World, list[Principal]]:
    org_ids = [f"o{i}" for i in range(rng.randint(2, 5))]
    orgs = tuple(random_organisation(rng, oid, org_ids) for oid in org_ids)
    orgs = tuple(_earlier_parent(org, org_ids) for org in orgs)
    people = tuple(
        Person(
            f"p{oid}-{k}",
            oid,
            "n",
            f"{oid}-{k}@x.example",
            rng.choice(list(Role)),
            rng.random() < 0.85,
        )
        for oid in org_ids
        for k in range(rng.randint(1, 2))
    )
    communities = tuple(random_community(rng, f"c{i}", org_ids) for i in range(rng.randint(0, 2)))
    principals = [Principal(p.id, p.org_id, p.role) for p in people]
    principals += [
        Principal(rng.choice([p.id for p in people] + ["ghost"]), rng.choice(org_ids), Role.ANALYST)
        for _ in range(rng.randint(0, 1))
    ]
    return World(orgs, people, communities, {}, (), (None,)), principals


def _earlier_parent(org: Organisation, org_ids: list[str]) -> Organisation:
    """The store keeps parents as foreign keys: only an earlier organisation may be one."""
    index = org_ids.index(org.id)
    if org.parent_id in org_ids[:index]:
        return org
    return Organisation(org.id, org.name, org.kind, org.country, org.sectors, None, org.status)


def open_world(folder: Path, world: World) -> SqlStore:
    shutil.copy(_template(), folder / "intel.db")
    store = SqlStore(create_sql_engine(f"sqlite:///{folder / 'intel.db'}"), Signer.generate())
    with store.transaction() as tx:
        for org in world.orgs:
            tx.organisations.add(_active(org))
        for person in world.people:
            tx.people.add(person, None)
        for community in world.communities:
            tx.communities.add(community)
    return store


def _active(org: Organisation) -> Organisation:
    return Organisation(org.id, org.name, org.kind, org.country, org.sectors, org.parent_id)


def apply_statuses(store: SqlStore, world: World) -> None:
    """Suspensions happen after publishing: they must take effect on the next read."""
    with store.transaction() as tx:
        for org in world.orgs:
            if org.status is OrgStatus.SUSPENDED:
                tx.organisations.set_status(org.id, OrgStatus.SUSPENDED)


# ---------------------------------------------------------------- publishing


def random_markings(rng: random.Random) -> list[str]:
    return [rng.choice(list(ORACLE_TABLE)) for _ in range(rng.choice([0, 1, 1, 1, 2]))]


def random_addressing(rng: random.Random, world: World) -> Addressing:
    org_ids = [o.id for o in world.orgs]
    return Addressing(
        recipient_org_ids=pick(rng, org_ids) if rng.random() < 0.5 else frozenset(),
        recipient_person_ids=pick(rng, [p.id for p in world.people]),
        community_ids=(
            pick(rng, [c.id for c in world.communities]) if rng.random() < 0.3 else frozenset()
        ),
        releasable_to=pick(rng, COUNTRIES) if rng.random() < 0.25 else None,
    )


def descriptor(stix_id: str, producer: str, refs: list[str], to: Addressing) -> ObjectDescriptor:
    return ObjectDescriptor(stix_id, producer, tuple(refs), **to.addressed())


def stamp(day: int) -> str:
    return f"2024-01-{day:02d}T00:00:00.000Z"


def publish_one(store: SqlStore, producer: str, obj: dict[str, Any], to: Addressing) -> bool:
    with store.transaction() as tx:
        by = Principal(f"op-{producer}", producer, Role.ANALYST)
        result = publish(tx, by, [obj], to, StoreDirectory(tx))
    return bool(result.stored)


def publish_indicators(
    rng: random.Random, store: SqlStore, world: World, found: dict[str, Published]
) -> None:
    for i in range(rng.randint(2, 6)):
        producer = rng.choice(world.orgs).id
        stix_id = f"indicator--{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        versions: list[str] = []
        for day in range(1, rng.choice([1, 1, 2]) + 1):
            refs, to = random_markings(rng), random_addressing(rng, world)
            obj = {
                "type": "indicator",
                "spec_version": "2.1",
                "id": stix_id,
                "created": stamp(1),
                "modified": stamp(day),
                "created_by_ref": identity_id(producer),
                "pattern": f"[ipv4-addr:value = '10.0.{i}.{day}']",
                "pattern_type": "stix",
                "valid_from": "2024-01-01T00:00:00Z",
                **({"object_marking_refs": refs} if refs else {}),
            }
            assert publish_one(store, producer, obj, to), obj
            versions.append(stamp(day))
            found[stix_id] = Published(
                stix_id,
                "indicator",
                producer,
                list(versions),
                descriptor(stix_id, producer, refs, to),
            )


def publish_derived(
    rng: random.Random, oracle: Oracle, store: SqlStore, world: World, found: dict[str, Published]
) -> None:
    indicators = [p for p in found.values() if p.kind == "indicator"]
    for _ in range(rng.randint(0, 2)):
        contents = rng.sample(indicators, rng.randint(1, min(3, len(indicators))))
        producer = rng.choice(world.orgs).id
        refs, to = random_markings(rng), random_addressing(rng, world)
        stix_id = f"report--{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        obj = {
            "type": "report",
            "spec_version": "2.1",
            "id": stix_id,
            "created": stamp(5),
            "modified": stamp(5),
            "name": "r",
            "published": stamp(5),
            "object_refs": [c.stix_id for c in contents],
            **({"object_marking_refs": refs} if refs else {}),
        }
        if publish_one(store, producer, obj, to):
            d = descriptor(stix_id, producer, refs, to)
            found[stix_id] = Published(
                stix_id, "report", producer, [stamp(5)], d, tuple(obj["object_refs"]), obj
            )
    for _ in range(rng.randint(0, 2)):
        publish_sighting(rng, oracle, store, world, indicators, found)


def publish_sighting(
    rng: random.Random,
    oracle: Oracle,
    store: SqlStore,
    world: World,
    indicators: list[Published],
    found: dict[str, Published],
) -> None:
    target = rng.choice(indicators)
    sighters = [o.id for o in world.orgs if f"org:{o.id}" in oracle.audience(target.descriptor)]
    if not sighters:
        return
    producer = rng.choice(sighters)
    stix_id = f"sighting--{uuid.UUID(int=rng.getrandbits(128), version=4)}"
    refs = [ref for ref in random_markings(rng) if ORACLE_TABLE[ref] in ("amber+strict", "red")]
    obj = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": stix_id,
        "created": stamp(6),
        "modified": stamp(6),
        "sighting_of_ref": target.stix_id,
        "count": rng.randint(1, 9),
        "where_sighted_refs": [identity_id(producer)],
        **({"object_marking_refs": refs} if refs else {}),
    }
    if publish_one(store, producer, obj, Addressing()):
        pinned = [ref for ref in refs if ref in ORACLE_TABLE] or [STRICT_ID]
        to = Addressing(recipient_org_ids=frozenset({target.producer}) - {producer})
        d = descriptor(stix_id, producer, pinned, to)
        found[stix_id] = Published(stix_id, "sighting", producer, [stamp(6)], d, (target.stix_id,))


# ---------------------------------------------------------------- expectations


@dataclass(frozen=True)
class Expected:
    """What one reader should be served: versions per id and refs kept per derived object."""

    versions: dict[str, list[str]]
    refs: dict[str, list[str]]


def expected_for(
    oracle: Oracle, objects: dict[str, Published], who: str | None, *, channel: bool
) -> Expected:
    """``who`` is an oracle person id (None: resolves to nobody)."""
    audiences = {i: oracle.audience(p.descriptor) for i, p in objects.items()}

    def sees(stix_id: str) -> bool:
        return who is not None and who in audiences[stix_id]

    versions: dict[str, list[str]] = {}
    refs: dict[str, list[str]] = {}
    for stix_id, item in objects.items():
        if not sees(stix_id) or (channel and not egress_allows(oracle, item, who)):
            continue
        own = who in oracle.people_in({item.producer})
        kept = list(item.contents) if own else [ref for ref in item.contents if sees(ref)]
        if len(kept) < len(item.contents):
            continue
        versions[stix_id] = item.versions
        refs[stix_id] = kept
    return Expected(versions, refs)


def egress_allows(oracle: Oracle, item: Published, who: str | None) -> bool:
    """Organisation-level channels: up to AMBER+STRICT; unmarked only to the producer."""
    named = [ORACLE_TABLE[r] for r in item.descriptor.marking_refs if r in ORACLE_TABLE]
    if not named:
        return who in oracle.people_in({item.producer})
    return all(level in ORG_CHANNEL_LEVELS for level in named)


# ---------------------------------------------------------------- the read paths


def rest_search(store: SqlStore, principal: Principal) -> tuple[dict[str, str], dict[str, Any]]:
    """Newest versions by id, paging 2 at a time, and the count; bodies by id."""
    seen: dict[str, str] = {}
    bodies: dict[str, Any] = {}
    after, total = 0, None
    for _ in range(1000):
        with intel_session(store, principal, now=NOW) as session:
            page = session.searcher.search(
                SearchRequest(IntelQuery(), limit=2, after_seq=after, count=total is None)
            )
        total = page.total if total is None else total
        for found in page.items:
            assert found.stix_id not in seen, "an object was served twice"
            seen[found.stix_id] = found.version
            bodies[found.stix_id] = found.obj
        if not page.more:
            break
        after = page.last_seq
    else:
        raise AssertionError("paging never ended")
    assert total == len(seen), ("count", total, len(seen))
    return seen, bodies


def rest_versions(store: SqlStore, principal: Principal, stix_id: str) -> list[str]:
    with intel_session(store, principal, now=NOW) as session:
        return [f.version for f in session.searcher.versions(stix_id, VersionSelector.ALL)]


def taxii_pages(
    store: SqlStore, principal: Principal, collection: str, endpoint: str, object_id: str = ""
) -> Iterator[dict[str, Any]]:
    """Every page of a TAXII endpoint; nothing when the caller gets 404."""
    base: list[tuple[str, str]] = [("limit", "2")]
    if endpoint == "object":
        base.append(("match[version]", "all"))
    params = base
    for _ in range(1000):
        try:
            with request_context(store, principal) as ctx:
                body = _taxii_call(ctx, collection, endpoint, object_id, params)
        except NotFoundError:
            return
        yield body
        if not body.get("more"):
            return
        params = [*base, ("next", body["next"])]
    raise AssertionError("paging never ended")


def _taxii_call(
    ctx: Any, collection: str, endpoint: str, object_id: str, params: list[tuple[str, str]]
) -> dict[str, Any]:
    if endpoint == "objects":
        result = taxii.get_objects(ctx, CODEC, API_ROOT, collection, params)
    elif endpoint == "manifest":
        result = taxii.get_manifest(ctx, CODEC, API_ROOT, collection, params)
    elif endpoint == "object":
        result = taxii.get_objects(ctx, CODEC, API_ROOT, collection, params, object_id)
    else:
        result = taxii.get_versions(ctx, CODEC, API_ROOT, collection, object_id, params)
    parsed: dict[str, Any] = orjson.loads(result.body)
    return parsed


def _normal(version: str) -> str:
    """Stored versions come back with microseconds."""
    return version.replace(".000Z", ".000000Z")


# ---------------------------------------------------------------- the property


def check_principal(
    store: SqlStore, oracle: Oracle, objects: dict[str, Published], principal: Principal, fed: str
) -> int:
    if principal.role is Role.SENSOR:
        return refused_everywhere(store, principal, fed, objects)
    who = oracle.identity(principal)
    person_level = expected_for(oracle, objects, who, channel=False)
    channelled = expected_for(oracle, objects, who, channel=True)
    latest = {i: _normal(v[-1]) for i, v in person_level.versions.items()}
    seen, bodies = rest_search(store, principal)
    assert seen == latest, ("rest search", principal, seen, latest)
    for stix_id, refs in person_level.refs.items():
        assert content_refs(bodies[stix_id]) == refs, ("rest refs", stix_id)
        scored = "x_shieldwall_score" in bodies[stix_id]
        assert scored is (objects[stix_id].kind == "indicator"), ("rest score", stix_id)
    objects_pages = list(taxii_pages(store, principal, fed, "objects"))
    served = [o for page in objects_pages for o in page.get("objects", [])]
    assert {o["id"]: o.get("modified") for o in served} == {
        i: v[-1] for i, v in channelled.versions.items()
    }, ("taxii objects", principal)
    assert len(served) == len({o["id"] for o in served}), "taxii served an object twice"
    for obj in served:
        assert content_refs(obj) == channelled.refs[obj["id"]], ("taxii refs", obj["id"])
    manifest = [
        r
        for page in taxii_pages(store, principal, fed, "manifest")
        for r in page.get("objects", [])
    ]
    assert {r["id"]: r["version"] for r in manifest} == {
        i: _normal(v[-1]) for i, v in channelled.versions.items()
    }, ("taxii manifest", principal)
    for stix_id in objects:
        want_all = [_normal(v) for v in person_level.versions.get(stix_id, [])]
        assert rest_versions(store, principal, stix_id) == want_all, ("rest object", stix_id)
        raw_channel = list(channelled.versions.get(stix_id, []))
        want_channel = [_normal(v) for v in raw_channel]
        got = [
            o.get("modified")
            for page in taxii_pages(store, principal, fed, "object", stix_id)
            for o in page.get("objects", [])
        ]
        assert got == raw_channel, ("taxii object", principal, stix_id, got, raw_channel)
        listed = [
            v
            for page in taxii_pages(store, principal, fed, "versions", stix_id)
            for v in page.get("versions", [])
        ]
        assert listed == want_channel, ("taxii versions", principal, stix_id)
    return 1 + 4 + 3 * len(objects)


def refused_everywhere(
    store: SqlStore, principal: Principal, fed: str, objects: dict[str, Published]
) -> int:
    """A sensor reads no intelligence: every path refuses it, whatever exists."""
    with pytest.raises(PermissionDeniedError):
        rest_search(store, principal)
    for kind in ("objects", "manifest"):
        with pytest.raises(PermissionDeniedError):
            list(taxii_pages(store, principal, fed, kind))
    for stix_id in objects:
        with pytest.raises(PermissionDeniedError):
            rest_versions(store, principal, stix_id)
    return 3 + len(objects)


def content_refs(obj: dict[str, Any]) -> list[str]:
    if obj.get("type") == "report":
        return list(obj.get("object_refs", []))
    if obj.get("type") == "sighting":
        return [obj["sighting_of_ref"]] if "sighting_of_ref" in obj else []
    return []


def check_exports(
    store: SqlStore, oracle: Oracle, objects: dict[str, Published], world: World
) -> int:
    for org in world.orgs:
        expected = expected_for(oracle, objects, f"org:{org.id}", channel=True)
        with store.transaction() as tx:
            selection = select_for(tx, org.id)
        got = {item.stix_id: item.version for item in selection.items}
        want = {i: _normal(v[-1]) for i, v in expected.versions.items()}
        assert got == want, ("export", org.id, got, want)
        for item in selection.items:
            assert content_refs(item.obj) == expected.refs[item.stix_id], ("export refs", item)
    return len(world.orgs)


def oracle_with_orgs(world: World) -> Oracle:
    """The policy oracle, with one stand-in person per organisation for org-level reads."""
    stand_ins = tuple(Person(f"org:{o.id}", o.id, "org", "o@x", Role.LEAD) for o in world.orgs)
    return Oracle(World(world.orgs, (*world.people, *stand_ins), world.communities, {}, (), ()))


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_every_read_path_agrees_with_the_oracle(seed: int) -> None:
    rng = random.Random(seed)
    world, principals = build_coalition(rng)
    oracle = oracle_with_orgs(world)
    with tempfile.TemporaryDirectory() as folder:
        store = open_world(Path(folder), world)
        try:
            objects: dict[str, Published] = {}
            publish_indicators(rng, store, world, objects)
            publish_derived(rng, oracle, store, world, objects)
            apply_statuses(store, world)
            with store.transaction() as tx:
                fed = next(c.id for c in ensure_collections(tx) if c.kind == "federation")
            checks: int = sum(check_principal(store, oracle, objects, p, fed) for p in principals)
            checks += check_exports(store, oracle, objects, world)
        finally:
            store.close()
    assert checks > len(objects), "every path was compared"
