"""The fuse worker keeps posture: recomputed after it fused (and on its timer), through
the server's own fuse thread, with the campaign heuristics the settings give."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shieldwall.config.settings import load_settings
from shieldwall.detect.engine import Engine
from shieldwall.fuse import GroupingRules
from shieldwall.live import FuseWorker, PostureDesk
from shieldwall.model.posture import ScopeKind
from shieldwall.runtime import DetectThread, FuseThread, live_rules
from shieldwall.runtime.live import campaign_rules
from tests.unit.api.conftest import World, build_world
from tests.unit.live.test_live_pipeline import RULES, SSHD, detect_all, ndjson, post

pytest_plugins = ["tests.unit.live.test_live_pipeline"]
SEEN = datetime(datetime.now(UTC).year, 12, 1, 10, 5, tzinfo=UTC)
"""Five minutes after the SSH record's time (syslog without a year: this year's)."""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.services.close()


def test_a_fused_batch_moves_posture_once(world: World, engine: Engine) -> None:
    post(world, "bravo-sensor", ndjson(SSHD))
    detect_all(world, engine)

    async def run() -> FuseWorker:
        assert world.services.buses is not None
        bus = await world.services.buses.own()
        desk = PostureDesk(world.services.store, clock=lambda: SEEN)
        worker = FuseWorker(bus, world.services.store, GroupingRules(), posture=desk)
        consumer = await worker.consumer()
        try:
            while await worker.step(consumer, timeout=0.2):
                pass
            await worker.refresh_posture()
            await worker.refresh_posture()  # within a second, nothing new: not recomputed
        finally:
            await consumer.close()
            await bus.close()
        return worker

    worker = asyncio.run(run())
    assert worker.counts.hits == 1
    with world.services.store.reading() as tx:
        levels = {(e.kind, e.key): e.level for e in tx.posture.current()}
    assert levels[(ScopeKind.MEMBER, "alpha")] == 1
    assert levels[(ScopeKind.MEMBER, "bravo")] == 2  # a fresh medium incident: guarded
    assert worker.counts.posture_changes == len(levels)


def test_the_servers_fuse_thread_keeps_posture(tmp_path: Path) -> None:
    # a half-life of a year: the record's days of age leave its incident at full weight
    world = build_world(tmp_path / "w", SHIELDWALL_POSTURE_HALF_LIFE_SECONDS=str(365 * 86400))
    try:
        _fuse_thread_keeps_posture(world, tmp_path)
    finally:
        world.services.close()


def _fuse_thread_keeps_posture(world: World, tmp_path: Path) -> None:
    (tmp_path / "live.yml").write_text(RULES, encoding="utf-8")
    settings = load_settings({"SHIELDWALL_LIVE_RULES": f"{tmp_path / 'live.yml'}:"})
    assert world.services.buses is not None
    assert campaign_rules(world.services.settings).chain_length == 3
    detect = DetectThread(world.services.buses, world.services.store, live_rules(settings))
    fuse = FuseThread(world.services.buses, world.services.store)
    detect.start()
    fuse.start()
    try:
        post(world, "bravo-sensor", ndjson(SSHD))
        deadline = time.monotonic() + 10
        levels: dict[str, int] = {}
        while levels.get("bravo", 0) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
            with world.services.store.reading() as tx:
                levels = {e.key: e.level for e in tx.posture.current()}
        assert (levels["bravo"], levels["alpha"]) == (2, 1)
    finally:
        assert detect.stop() and fuse.stop()
