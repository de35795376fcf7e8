"""Watchlists end to end: alpha shares an indicator, bravo's sensor sees it, bravo is told.

The gate decides what reaches a watchlist (TLP:RED never does: it is for named people),
and a revocation takes the indicator out of every watchlist at the next refresh.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.loader import load_rules
from shieldwall.live import DetectWorker
from shieldwall.model.identity import Principal, Role
from shieldwall.runtime import SightingReporter, Watchlists
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.publish import publish
from tests.unit.api.conftest import World, build_world
from tests.unit.live.test_live_pipeline import RULES, alerts, ndjson, post, sysmon
from tests.unit.share import intel_world
from tests.unit.share.intel_world import recent

FIRST = recent(2)
LATER = recent(1)
"""Versions of this module's indicators: recent, so none has decayed (see ``recent``)."""


def indicator(org: str, **extra: Any) -> dict[str, Any]:
    """:func:`intel_world.indicator`, modified ``FIRST``."""
    return intel_world.indicator(org, **{"modified": FIRST, **extra})


SHARED, SECRET = "198.51.100.7", "198.51.100.8"


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    """On the embedded default and (marked ``postgres``) on PostgreSQL."""
    built = build_world(tmp_path, database_url)
    yield built
    built.services.close()


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    (tmp_path / "rules.yml").write_text(RULES, encoding="utf-8")
    return Engine(load_rules([tmp_path / "rules.yml"]))


def share_as(world: World, org: str, *objects: dict[str, Any]) -> None:
    with world.services.store.transaction() as tx:
        by = Principal(world.people[f"{org}-colleague"], org, Role.ANALYST)
        result = publish(tx, by, list(objects), Addressing(), StoreDirectory(tx))
    assert not result.failures, result.failures


def connection(ip: str, record: int) -> dict[str, Any]:
    return sysmon("C:\\x\\browser.exe", record, DestinationIp=ip)


def detect_with(
    world: World,
    engine: Engine,
    watchlists: Watchlists,
    sightings: SightingReporter | None = None,
) -> DetectWorker:
    async def run() -> DetectWorker:
        assert world.services.buses is not None
        bus = await world.services.buses.own()
        worker = DetectWorker(
            bus, world.services.store, engine, watchlist=watchlists, sightings=sightings
        )
        consumer = await worker.consumer()
        try:
            while await worker.step(consumer, timeout=0.2):
                pass
        finally:
            await consumer.close()
            await bus.close()
        return worker

    return asyncio.run(run())


def test_a_shared_indicator_alerts_the_other_member_and_red_does_not(
    world: World, engine: Engine
) -> None:
    shared = indicator("alpha", value=SHARED, x_shieldwall_level="high")
    share_as(world, "alpha", shared, indicator("alpha", tlp="red", value=SECRET))
    watchlists = Watchlists(world.services.store)
    assert watchlists.refresh() and not watchlists.refresh()  # nothing changed since
    body = ndjson(connection(SHARED, 1), connection(SECRET, 2), connection("192.0.2.1", 3))
    assert post(world, "bravo-sensor", body).json()["accepted"] == 3

    worker = detect_with(world, engine, watchlists)
    assert worker.counts.events == 3 and worker.counts.alerts == 1
    (alert,) = alerts(world, "bravo-analyst")
    assert alert["rule_id"] == shared["id"] and alert["kind"] == "indicator"
    assert alert["rule_title"] == f"Indicator match: {SHARED}" and alert["level"] == "high"
    assert alert["matched"] == {"DestinationIp": SHARED} and alert["org_id"] == "bravo"
    assert alerts(world, "alpha-analyst") == []


def test_a_revoked_indicator_stops_matching(world: World, engine: Engine) -> None:
    shared = indicator("alpha", value=SHARED)
    share_as(world, "alpha", shared)
    watchlists = Watchlists(world.services.store)
    watchlists.refresh()
    post(world, "bravo-sensor", ndjson(connection(SHARED, 1)))
    assert detect_with(world, engine, watchlists).counts.alerts == 1

    share_as(world, "alpha", {**shared, "modified": LATER, "revoked": True})
    assert watchlists.refresh() and watchlists("bravo") is None
    post(world, "bravo-sensor", ndjson(connection(SHARED, 2)))
    assert detect_with(world, engine, watchlists).counts.alerts == 0
    assert len(alerts(world, "bravo-analyst")) == 1


def test_a_published_indicator_is_watched_within_two_seconds(world: World) -> None:
    watchlists = Watchlists(world.services.store)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    runner = threading.Thread(target=loop.run_until_complete, args=(watchlists.run(stop, 0.2),))
    runner.start()
    try:
        time.sleep(0.3)
        assert watchlists("bravo") is None
        share_as(world, "alpha", indicator("alpha", value=SHARED))
        published = time.monotonic()
        while watchlists("bravo") is None and time.monotonic() - published < 2.0:
            time.sleep(0.05)
        matcher = watchlists("bravo")
        assert matcher is not None and matcher.observe("ip", SHARED)
    finally:
        loop.call_soon_threadsafe(stop.set)
        runner.join(5)
        loop.close()


def sightings_seen_by(world: World, caller: str) -> list[dict[str, Any]]:
    response = world.client.get(
        "/api/v1/intel/objects", params={"type": "sighting"}, headers=world.auth(caller)
    )
    assert response.status_code == 200, response.text
    return list(response.json()["objects"])


def test_a_hit_becomes_one_sighting_for_the_producer(world: World, engine: Engine) -> None:
    shared = indicator("alpha", value=SHARED)
    share_as(world, "alpha", shared)
    watchlists, reporter = Watchlists(world.services.store), SightingReporter(world.services.store)
    watchlists.refresh()
    body = ndjson(connection(SHARED, 1), connection(SHARED, 2))  # same host, same hour
    post(world, "bravo-sensor", body)
    detect_with(world, engine, watchlists, reporter)
    assert reporter.reported == 1
    assert not watchlists.refresh()  # a sighting is no indicator: no rebuild
    (sighting,) = sightings_seen_by(world, "alpha-analyst")
    assert sighting["sighting_of_ref"] == shared["id"] and sighting["count"] == 2
    assert sightings_seen_by(world, "centre-admin") == []  # only the producer and bravo

    post(world, "bravo-sensor", body, **{"idempotency-key": "again"})  # the same events again
    detect_with(world, engine, watchlists, reporter)
    assert reporter.reported == 1 and len(sightings_seen_by(world, "alpha-analyst")) == 1
