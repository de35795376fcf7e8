"""The write-path oracle (issue 9, item 1): no write tells "hidden from you" from "absent".

A member (the attacker) writes objects that name a target: a report, note, opinion or
grouping listing it, a relationship to it, a sighting of it, a new version of its id, an
object marked with it (when the target is a marking definition), a MISP event with its
uuid. The target is either held by another member under an audience that hides it from
the attacker (TLP:RED, TLP:AMBER+STRICT, TLP:AMBER to nobody, GREEN to a community the
attacker is not in) or absent. Every write path is tried: TAXII POST, the REST sightings
endpoint, ``intel import`` of a STIX bundle and of a MISP event. The answers (status,
counts, reasons with the probe's ids written as placeholders) and the side effects (what
the attacker reads back afterwards) must be the same for hidden and absent.

A control makes sure the comparison can fail: when the target is *visible*, a new version
of its id is refused, unlike an absent one.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from shieldwall import share
from shieldwall.access import OPERATOR, add_community
from shieldwall.model.sharing import Community
from shieldwall.share.intel.identity import identity_id
from tests.unit.api.conftest import World, build_world
from tests.unit.api.taxii.conftest import Taxii
from tests.unit.share.intel_world import MARK

MEMBERS = ("alpha", "bravo", "centre")
CALLER = {"alpha": "alpha-analyst", "bravo": "bravo-analyst", "centre": "centre-admin"}
STAMP = "2024-01-01T00:00:00.000Z"
LATER = "2024-02-01T00:00:00.000Z"
HIDING = ("red", "strict", "amber", "community")
TARGET_KINDS = ("indicator", "malware", "identity", "ipv4-addr", "marking-definition")
Answer = Any


@dataclass
class Coalition:
    """The seeded world, a community holding only ``centre``, and a scratch folder."""

    world: World
    taxii: Taxii
    folder: Path
    community: str


@pytest.fixture
def coalition(tmp_path: Path) -> Iterator[Coalition]:
    world = build_world(tmp_path / "data")
    closed = Community("closed", "Closed", members=frozenset({"centre"}))
    add_community(world.services.store, OPERATOR, closed)
    yield Coalition(world, Taxii(world), tmp_path, "closed")
    world.services.close()


# ------------------------------------------------------------------ objects


def _base(kind: str, ident: str, org: str, modified: str = STAMP) -> dict[str, Any]:
    obj: dict[str, Any] = {"type": kind, "spec_version": "2.1", "id": ident}
    if kind in ("ipv4-addr", "marking-definition"):
        return obj
    obj.update(created=STAMP, modified=modified, created_by_ref=identity_id(org))
    return obj


def target_object(kind: str, org: str, rng: random.Random) -> dict[str, Any]:
    """A fresh object of ``kind`` produced by ``org`` (its id is unused so far)."""
    if kind == "ipv4-addr":
        value = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        return {"type": kind, "spec_version": "2.1", "id": _ipv4_id(value), "value": value}
    ident = f"{kind}--{uuid.UUID(int=rng.getrandbits(128), version=4)}"
    obj = _base(kind, ident, org)
    if kind == "indicator":
        obj.update(
            pattern="[domain-name:value = 'a.example']",
            pattern_type="stix",
            valid_from="2024-01-01T00:00:00Z",
        )
    elif kind == "malware":
        obj.update(name="Bad", is_family=True)
    elif kind == "identity":
        obj.update(name="Vendor", identity_class="organization")
    elif kind == "marking-definition":
        obj.update(
            created=STAMP,
            created_by_ref=identity_id(org),
            definition_type="statement",
            definition={"statement": "internal"},
        )
    return obj


def _ipv4_id(value: str) -> str:
    from stix2 import IPv4Address

    return str(IPv4Address(value=value).id)


def marked(obj: dict[str, Any], hiding: str, community: str) -> tuple[dict[str, Any], Any]:
    """The target with its hiding audience: (object, addressing for an import)."""
    if hiding == "community":
        return {**obj, "object_marking_refs": [MARK["green"]]}, share.Addressing(
            community_ids=frozenset({community})
        )
    return {**obj, "object_marking_refs": [MARK[hiding]]}, share.Addressing()


def probes(kind: str, target: dict[str, Any], org: str) -> dict[str, list[dict[str, Any]]]:
    """Every object the attacker can write that names the target, by name of the probe."""
    tid, clear = target["id"], [MARK["clear"]]
    own = f"indicator--{uuid.uuid4()}"
    made: dict[str, list[dict[str, Any]]] = {}
    for derived in ("report", "note", "opinion", "grouping"):
        obj = _base(derived, f"{derived}--{uuid.uuid4()}", org)
        obj.update(object_refs=[tid], object_marking_refs=clear)
        extra = {
            "report": {"name": "r", "published": "2024-01-01T00:00:00Z"},
            "note": {"content": "n"},
            "opinion": {"opinion": "agree"},
            "grouping": {"context": "suspicious-activity"},
        }[derived]
        made[derived] = [{**obj, **extra}]
    relationship = _base("relationship", f"relationship--{uuid.uuid4()}", org)
    relationship.update(
        relationship_type="related-to", source_ref=own, target_ref=tid, object_marking_refs=clear
    )
    made["relationship"] = [relationship]
    sighting = _base("sighting", f"sighting--{uuid.uuid4()}", org)
    sighting.update(sighting_of_ref=tid, object_marking_refs=clear)
    made["sighting"] = [sighting]
    if kind == "marking-definition":
        flagged = target_object("indicator", org, random.Random())
        made["marked-with"] = [{**flagged, "object_marking_refs": [tid]}]
    elif kind != "identity":
        version = {**target, "created_by_ref": identity_id(org), "modified": LATER}
        if kind == "ipv4-addr":
            version = {k: v for k, v in target.items() if k != "object_marking_refs"}
        made["new-version"] = [{**version, "object_marking_refs": clear}]
    return made


# ------------------------------------------------------------------ paths


def normalise(value: Any, names: dict[str, str]) -> Any:
    """The answer with the probe's own ids written as placeholders."""
    text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    for real, placeholder in names.items():
        text = text.replace(real, placeholder)
    return orjson.loads(text)


def via_taxii(c: Coalition, org: str, objects: list[dict[str, Any]]) -> Answer:
    federation = c.taxii.collection_id("Federation", CALLER[org])
    response = c.taxii.post(federation, objects, CALLER[org])
    body = response.json()
    keep = ("status", "success_count", "failure_count", "pending_count", "failures", "successes")
    return response.status_code, {k: body.get(k) for k in keep}


def via_import(c: Coalition, org: str, objects: list[dict[str, Any]]) -> Answer:
    path = c.folder / f"bundle-{uuid.uuid4()}.json"
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
    path.write_bytes(orjson.dumps(bundle))
    request = share.ImportRequest(path=path, org_id=org)
    outcomes = list(share.import_intel(c.world.services.store, request))
    return [
        str(o) if not isinstance(o, share.ImportOutcome) else (o.stored, o.refusals)
        for o in outcomes
    ]


def via_rest_sighting(c: Coalition, org: str, target_id: str) -> Answer:
    response = c.world.client.post(
        "/api/v1/intel/sightings",
        json={"sighting_of_ref": target_id},
        headers=c.world.auth(CALLER[org]),
    )
    body = response.json()
    if response.status_code == 201:
        return 201, body["sighting_of_ref"], body.get("object_marking_refs")
    return response.status_code, body.get("detail")


def read_back(c: Coalition, org: str, stix_id: str) -> Answer:
    """What the attacker reads of an id afterwards: status and the versions' contents."""
    response = c.world.client.get(
        f"/api/v1/intel/objects/{stix_id}", headers=c.world.auth(CALLER[org])
    )
    if response.status_code != 200:
        return response.status_code, response.json().get("detail")
    versions = response.json()["versions"]
    return 200, [
        {k: v for k, v in item.items() if k != "x_shieldwall_date_added"} for item in versions
    ]


def attempt(c: Coalition, org: str, path: str, probe: list[dict[str, Any]]) -> Answer:
    """The answer of one write and what the attacker then reads of what it wrote."""
    writers: dict[str, Callable[[], Answer]] = {
        "taxii": lambda: via_taxii(c, org, probe),
        "import": lambda: via_import(c, org, probe),
    }
    answer = writers[path]()
    return answer, [read_back(c, org, obj["id"]) for obj in probe]


def publish_target(c: Coalition, org: str, obj: dict[str, Any], hiding: str) -> None:
    held, addressing = marked(obj, hiding, c.community)
    path = c.folder / f"target-{uuid.uuid4()}.json"
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": [held]}
    path.write_bytes(orjson.dumps(bundle))
    request = share.ImportRequest(path=path, org_id=org, addressing=addressing)
    (outcome,) = share.import_intel(c.world.services.store, request)
    assert isinstance(outcome, share.ImportOutcome) and outcome.stored == 1, outcome


# ------------------------------------------------------------------ the oracle


def pairs(seed: int, rounds: int) -> Iterator[tuple[str, str, str, str]]:
    rng = random.Random(seed)
    for _ in range(rounds):
        attacker = rng.choice(("alpha", "bravo"))
        victim = rng.choice([m for m in MEMBERS if m != attacker])
        hiding = rng.choice(HIDING if victim == "centre" else HIDING[:3])
        yield attacker, victim, rng.choice(TARGET_KINDS), hiding


@pytest.mark.parametrize("seed", range(4))
def test_every_write_path_answers_hidden_and_absent_alike(coalition: Coalition, seed: int) -> None:
    rng = random.Random(seed)
    compared = stored = 0
    for attacker, victim, kind, hiding in pairs(seed, 6):
        hidden = target_object(kind, victim, rng)
        publish_target(coalition, victim, hidden, hiding)
        absent = target_object(kind, victim, rng)
        for path in ("taxii", "import"):
            hidden_probes = probes(kind, hidden, attacker)
            absent_probes = probes(kind, absent, attacker)
            for name in hidden_probes:
                seen = attempt(coalition, attacker, path, hidden_probes[name])
                unseen = attempt(coalition, attacker, path, absent_probes[name])
                seen_names = _names(hidden_probes[name], hidden)
                unseen_names = _names(absent_probes[name], absent)
                assert normalise(seen, seen_names) == normalise(unseen, unseen_names), (
                    f"{path} {name} of a {kind} hidden by {hiding} from {attacker}"
                )
                compared += 1
                if path == "taxii":
                    stored += seen[0][1]["success_count"]
        rest = [via_rest_sighting(coalition, attacker, t["id"]) for t in (hidden, absent)]
        assert normalise(rest[0], {hidden["id"]: "<T>"}) == normalise(
            rest[1], {absent["id"]: "<T>"}
        )
    assert compared >= 6 * 2 * 6
    assert stored > 0  # the probes are valid objects, not refusals that all look alike


def _names(probe: list[dict[str, Any]], target: dict[str, Any]) -> dict[str, str]:
    names = {target["id"]: "<T>"}
    if "value" in target:
        names[target["value"]] = "<value>"
    for index, obj in enumerate(probe):
        names.setdefault(obj["id"], f"<P{index}>")
        for key in ("source_ref",):
            if isinstance(obj.get(key), str):
                names.setdefault(obj[key], f"<{key}>")
    return names


def test_the_comparison_sees_a_visible_target(coalition: Coalition) -> None:
    """Control: a new version of a *visible* id is refused, unlike an absent one."""
    rng = random.Random(7)
    visible = target_object("indicator", "bravo", rng)
    publish_target(coalition, "bravo", visible, "clear")
    absent = target_object("indicator", "bravo", rng)
    seen = attempt(
        coalition, "alpha", "taxii", probes("indicator", visible, "alpha")["new-version"]
    )
    unseen = attempt(
        coalition, "alpha", "taxii", probes("indicator", absent, "alpha")["new-version"]
    )
    assert normalise(seen, {visible["id"]: "<T>"}) != normalise(unseen, {absent["id"]: "<T>"})
    assert "only the producer" in orjson.dumps(seen).decode()


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MISP_EVENT = Path(__file__).parents[2] / "fixtures" / "misp" / "event_phishing.json"


def misp_event(distribution: str) -> bytes:
    """The fixture event with every uuid fresh and the given distribution."""
    text = MISP_EVENT.read_text()
    fresh = {old: str(uuid.uuid4()) for old in set(UUID.findall(text))}
    text = UUID.sub(lambda m: fresh[m.group(0)], text)
    event = orjson.loads(text)
    event.get("Event", event)["distribution"] = distribution
    return orjson.dumps(event)


def import_misp(c: Coalition, org: str, event: bytes) -> Answer:
    path = c.folder / f"event-{uuid.uuid4()}.json"
    path.write_bytes(event)
    outcomes = list(
        share.import_intel(c.world.services.store, share.ImportRequest(path=path, org_id=org))
    )
    answer = [o if isinstance(o, share.ImportOutcome) else str(o) for o in outcomes]
    held = len(share.list_intel(c.world.services.store, org))
    return UUID.sub("<uuid>", repr(answer)), held


@pytest.mark.parametrize("distribution", ["0", "1", "4"])
def test_a_misp_event_answers_alike_whether_its_uuids_are_hidden_or_absent(
    coalition: Coalition, tmp_path: Path, distribution: str
) -> None:
    """MISP path: in one coalition bravo holds an event only it may see, in a twin
    coalition nobody does; alpha imports the same event in both. Same answer, same
    objects held by alpha afterwards."""
    event = misp_event(distribution)
    twin_world = build_world(tmp_path / "twin")
    try:
        twin = Coalition(twin_world, Taxii(twin_world), tmp_path, coalition.community)
        import_misp(coalition, "bravo", event)
        hidden, absent = import_misp(coalition, "alpha", event), import_misp(twin, "alpha", event)
    finally:
        twin_world.services.close()
    assert hidden == absent
    assert hidden[1] > 0
