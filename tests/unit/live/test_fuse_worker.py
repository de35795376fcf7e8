"""The fuse worker on the embedded bus: stored alert hits become incidents, each hit once,
whatever the bus delivers again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shieldwall.config.settings import load_settings
from shieldwall.detect.engine import Engine
from shieldwall.fuse import GroupingRules
from shieldwall.live import FuseWorker
from shieldwall.model.incident import Incident, IncidentQuery
from shieldwall.runtime import DetectThread, FuseThread, live_rules
from tests.unit.api.conftest import World, build_world
from tests.unit.live.test_live_pipeline import RULES, SSHD, detect_all, ndjson, post, sysmon

pytest_plugins = ["tests.unit.live.test_live_pipeline"]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.services.close()


def fuse_all(world: World, *, ack: bool = True) -> FuseWorker:
    """Run a fuse worker until the alerts are drained (acknowledging, or not: a crash)."""

    async def run() -> FuseWorker:
        assert world.services.buses is not None
        bus = await world.services.buses.own()
        worker = FuseWorker(bus, world.services.store, GroupingRules())
        consumer = await worker.consumer()
        try:
            if ack:
                while await worker.step(consumer, timeout=0.2):
                    pass
            else:
                worker.fuse(await consumer.fetch(1000, timeout=0.2))
        finally:
            await consumer.close()
            await bus.close()
        return worker

    return asyncio.run(run())


def test_alerts_of_one_host_become_one_incident_each_hit_once(world: World, engine: Engine) -> None:
    events = [sysmon("C:\\x\\evil.exe", n, User="ALPHA\\eve") for n in (1, 2)]
    post(world, "alpha-sensor", ndjson(*events))
    post(world, "bravo-sensor", ndjson(SSHD))
    detect_all(world, engine)
    crashed = fuse_all(world, ack=False)  # fused, never acknowledged
    again = fuse_all(world)
    assert (crashed.counts.hits, again.counts.hits, again.counts.repeated) == (3, 0, 3)
    with world.services.store.reading() as tx:
        alpha, bravo = tx.incidents.page(IncidentQuery(org_ids=None))
    assert (alpha.org_id, alpha.alert_count, alpha.severity) == ("alpha", 2, "high")
    assert alpha.title == "Evil binary started on ws1.alpha.example"
    assert (bravo.org_id, bravo.alert_count) == ("bravo", 1)


def test_the_servers_detect_and_fuse_threads_open_incidents_and_stop(
    world: World, tmp_path: Path
) -> None:
    (tmp_path / "live.yml").write_text(RULES, encoding="utf-8")
    settings = load_settings({"SHIELDWALL_LIVE_RULES": f"{tmp_path / 'live.yml'}:"})
    assert world.services.buses is not None
    detect = DetectThread(world.services.buses, world.services.store, live_rules(settings))
    fuse = FuseThread(world.services.buses, world.services.store)
    detect.start()
    fuse.start()
    try:
        post(world, "bravo-sensor", ndjson(SSHD))
        deadline = time.monotonic() + 10
        found: list[Incident] = []
        while not found and time.monotonic() < deadline:
            time.sleep(0.05)
            with world.services.store.reading() as tx:
                found = list(tx.incidents.page(IncidentQuery(org_ids=frozenset({"bravo"}))))
        assert [i.title for i in found] == ["SSH password guessing on web1"]
    finally:
        assert detect.stop() and fuse.stop()
    assert fuse.worker is not None and fuse.worker.counts.hits == 1
