"""The managed rules in the stream: the detect worker's thread, started once, picks up each
change (added, disabled) within its poll interval; a member's rule sees only that
member's events, the centre's see every member's."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shieldwall.detect.sigma.loader import RuleSet
from shieldwall.runtime import DetectThread
from tests.unit.api.conftest import World, build_world
from tests.unit.live.test_live_pipeline import alerts, ndjson, post, sysmon
from tests.unit.live.test_rules_api import OWN, RULE, add

OWN_ID = "5f0c9d2e-8b1a-4c3d-9e7f-a1b2c3d4e5f6"
RULE_ID = "7c4d7b0e-1c2a-4f55-9b6e-0a8f7d1e2c31"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path, SHIELDWALL_RULES_POLL_SECONDS="0.05")
    yield built
    built.services.close()


def wait_for(check: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert check()


def rules_of(world: World, caller: str) -> list[str]:
    return sorted(a["rule_id"] for a in alerts(world, caller))


def send(world: World, sensor: str, *records: Any) -> None:
    answer = post(world, sensor, ndjson(*records))
    assert answer.status_code == 200 and answer.json()["accepted"] == len(records), answer.text


def test_rule_changes_reach_a_running_worker_and_members_rules_stay_their_own(
    world: World,
) -> None:
    assert world.services.buses is not None
    thread = DetectThread(world.services.buses, world.services.store, RuleSet())
    thread.start()
    try:
        assert add(world, "centre-admin", RULE).status_code == 201
        assert add(world, "alpha-analyst", OWN).status_code == 201
        wait_for(lambda: thread.rules.version > 0 and len(thread.rules.problems) == 0)
        wait_for(lambda: thread.rules.version == 2)
        for sensor in ("alpha-sensor", "bravo-sensor"):
            send(world, sensor, sysmon("C:\\x\\evil.exe", 1), sysmon("C:\\x\\alphatool.exe", 2))
        wait_for(lambda: len(alerts(world, "alpha-analyst")) == 2)
        wait_for(lambda: len(alerts(world, "bravo-analyst")) == 1)
        assert rules_of(world, "alpha-analyst") == sorted([OWN_ID, RULE_ID])
        assert rules_of(world, "bravo-analyst") == [RULE_ID]  # alpha's rule never saw bravo's
        off = world.client.post(
            f"/api/v1/rules/{RULE_ID}/disable", headers=world.auth("centre-admin")
        )
        assert off.status_code == 200
        wait_for(lambda: thread.rules.version == off.json()["rule_set_version"])
        send(world, "bravo-sensor", sysmon("C:\\y\\evil.exe", 3), sysmon("C:\\x\\alphatool.exe", 4))
        wait_for(lambda: thread.worker is not None and thread.worker.counts.events == 6)
        assert len(alerts(world, "bravo-analyst")) == 1  # disabled: evil.exe raises nothing
        own = add(world, "bravo-analyst", OWN)  # bravo now has the same rule of its own
        wait_for(lambda: thread.rules.version == own.json()["rule_set_version"])
        send(world, "bravo-sensor", sysmon("C:\\x\\alphatool.exe", 5))
        wait_for(lambda: len(alerts(world, "bravo-analyst")) == 2)
        assert rules_of(world, "bravo-analyst") == sorted([OWN_ID, RULE_ID])
        assert len(alerts(world, "alpha-analyst")) == 2
    finally:
        assert thread.stop()
