"""Posture and sectors over REST: levels through the gate, recomputed on the centre's
demand, sectors set by the centre's admin only; a hidden level is absent, not forbidden."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.fuse import GroupingRules, fuse_hit
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.identity import Organisation, OrgKind
from tests.unit.api.conftest import World, build_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    accounts.add_organisation(
        built.services.store, OPERATOR, Organisation("charlie", "C", OrgKind.CIVIL, "NL")
    )
    yield built
    built.services.close()


def critical(world: World, member: str) -> None:
    new = NewAlert(
        key=f"{member}:1:r",
        org_id=member,
        rule_id="r",
        rule_title="Ransomware",
        level="critical",
        tags=(),
        event_time=datetime.now(UTC) - timedelta(minutes=5),
        source="s",
        matched={},
        event={},
        entities=Entities(hosts=("dc1",)),
    )
    with world.services.store.transaction() as tx:
        tx.alerts.add([new])
        hit = tx.alerts.hit(new.key)
        assert hit is not None
        fuse_hit(tx.incidents, hit, GroupingRules(), tx.campaigns)


def get(world: World, caller: str, path: str) -> Any:
    return world.client.get(f"/api/v1/posture{path}", headers=world.auth(caller))


def set_sectors(world: World, caller: str, org: str, sectors: list[str]) -> Any:
    return world.client.put(
        f"/api/v1/organisations/{org}/sectors",
        json={"sectors": sectors},
        headers=world.auth(caller),
    )


def test_sectors_are_set_by_the_centre_admin_only(world: World) -> None:
    answer = set_sectors(world, "centre-admin", "alpha", ["Energy", "water", "energy"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["sectors"] == ["energy", "water"]
    assert set_sectors(world, "alpha-lead", "alpha", ["x"]).status_code == 403
    hidden = set_sectors(world, "alpha-lead", "bravo", ["x"])
    absent = set_sectors(world, "alpha-lead", "nobody", ["x"])
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json() == absent.json()
    bad = set_sectors(world, "centre-admin", "alpha", ["no/slash"])
    assert bad.status_code in (400, 422)
    assert set_sectors(world, "centre-admin", "nobody", ["x"]).status_code == 404


def test_levels_through_the_gate(world: World) -> None:
    for org in ("alpha", "bravo", "charlie"):
        assert set_sectors(world, "centre-admin", org, ["energy"]).status_code == 200
    critical(world, "bravo")
    refused = world.client.post("/api/v1/posture/recompute", headers=world.auth("alpha-lead"))
    assert refused.status_code == 403
    done = world.client.post("/api/v1/posture/recompute", headers=world.auth("centre-admin"))
    assert done.status_code == 200
    assert len(done.json()["changes"]) == 5  # three members, one sector, the coalition
    mine = {
        (e["scope"], e["key"]): e["name"] for e in get(world, "alpha-analyst", "").json()["levels"]
    }
    # alpha sees itself, its sector and the coalition (three members each), never bravo
    assert mine == {
        ("member", "alpha"): "low",
        ("sector", "energy"): "high",
        ("coalition", "*"): "high",
    }
    scores = {e["scope"]: e["score"] for e in get(world, "alpha-analyst", "").json()["levels"]}
    assert scores == {"member": 0.0, "sector": None, "coalition": None}  # never the others' sum
    centre = {(e["scope"], e["key"]) for e in get(world, "centre-admin", "").json()["levels"]}
    assert ("member", "bravo") in centre and len(centre) == 5
    hidden = get(world, "alpha-analyst", "/member/bravo")
    absent = get(world, "alpha-analyst", "/member/zulu")
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["detail"].replace("bravo", "X") == absent.json()["detail"].replace(
        "zulu", "X"
    )
    assert get(world, "bravo-liaison", "/member/bravo").json()["name"] == "high"
    history = get(world, "alpha-analyst", "/history").json()["changes"]
    assert {(e["scope"], e["key"]) for e in history} == set(mine)
    assert get(world, "alpha-analyst", "/history?scope=member&key=bravo").json()["changes"] == []
    assert get(world, "alpha-sensor", "").status_code == 403
    assert get(world, "alpha-analyst", "/history?limit=0").status_code in (400, 422)


def test_a_small_group_is_never_shown_to_a_member(world: World) -> None:
    set_sectors(world, "centre-admin", "alpha", ["energy"])
    set_sectors(world, "centre-admin", "bravo", ["energy"])
    critical(world, "bravo")
    world.client.post("/api/v1/posture/recompute", headers=world.auth("centre-admin"))
    mine = {(e["scope"], e["key"]) for e in get(world, "alpha-lead", "").json()["levels"]}
    assert ("sector", "energy") not in mine  # two members: it would tell bravo's level
    assert get(world, "alpha-lead", "/sector/energy").status_code == 404
