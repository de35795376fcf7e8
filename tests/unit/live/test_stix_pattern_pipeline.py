"""Full STIX patterns end to end: shared by alpha, matched in each member's own window.

The indicator's pattern is more than a watchlist comparison, so its first observation
alone raises nothing; only the member whose own events complete it is alerted, another
member's events never complete it, and the windows are saved with each batch (a new
worker goes on from them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.loader import load_rules
from shieldwall.live import DetectWorker
from shieldwall.live.pattern_windows import state_key
from shieldwall.runtime import Watchlists
from tests.unit.api.conftest import World, build_world
from tests.unit.live.test_live_pipeline import RULES, alerts, ndjson, post, sysmon
from tests.unit.live.test_watchlist_pipeline import share_as
from tests.unit.share import intel_world
from tests.unit.share.intel_world import recent

FIRST = recent(2)
LATER = recent(1)
"""Versions of this module's indicators: recent, so none has decayed (see ``recent``)."""


def indicator(org: str, **extra: Any) -> dict[str, Any]:
    """:func:`intel_world.indicator`, modified ``FIRST``."""
    return intel_world.indicator(org, **{"modified": FIRST, **extra})


ADDRESS, DOMAIN = "198.51.100.7", "evil.example"
PATTERN = (
    f"([ipv4-addr:value = '{ADDRESS}'] FOLLOWEDBY [domain-name:value = '{DOMAIN}'])"
    " WITHIN 300 SECONDS"
)


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


def at(clock: str, record: int, **fields: Any) -> dict[str, Any]:
    event = sysmon("C:\\x\\browser.exe", record, **fields)
    event["Event"]["System"]["TimeCreated"]["#attributes"]["SystemTime"] = (
        f"2026-12-01T{clock}.000000Z"
    )
    return event


def detect_with(
    world: World, engine: Engine, watchlists: Watchlists, *, ack: bool = True
) -> DetectWorker:
    """One detect worker with the watchlists' stream patterns, until the bus is drained
    (or, without ``ack``, one batch stored and the worker dead before acknowledging)."""

    async def run() -> DetectWorker:
        assert world.services.buses is not None
        bus = await world.services.buses.own()
        worker = DetectWorker(
            bus, world.services.store, engine, watchlist=watchlists, patterns=watchlists.patterns
        )
        consumer = await worker.consumer()
        try:
            if ack:
                while await worker.step(consumer, timeout=0.2):
                    pass
            else:
                deliveries = await consumer.fetch(1000, timeout=0.2)
                worker._store_alerts(*worker._match(deliveries))
        finally:
            await consumer.close()
            await bus.close()
        return worker

    return asyncio.run(run())


def test_a_pattern_alerts_only_the_member_whose_events_complete_it(
    world: World, engine: Engine
) -> None:
    shared = indicator("alpha", pattern=PATTERN, x_shieldwall_level="high")
    share_as(world, "alpha", shared)
    watchlists = Watchlists(world.services.store)
    watchlists.refresh()
    assert [p.indicator_id for p in watchlists.patterns("bravo")] == [shared["id"]]
    assert watchlists("bravo") is None  # no watchlist entry: the address alone is no match

    post(world, "bravo-sensor", ndjson(at("10:00:00", 1, DestinationIp=ADDRESS)))
    post(world, "alpha-sensor", ndjson(at("10:00:30", 2, QueryName=DOMAIN)))
    worker = detect_with(world, engine, watchlists)
    assert worker.counts.events == 2 and worker.counts.alerts == 0  # alpha's query, bravo's IP
    with world.services.store.reading() as tx:  # one window each, saved with the batch
        for member in ("alpha", "bravo"):
            saved = tx.correlations.load(state_key(member))
            assert saved is not None and len(saved["windows"]) == 1

    post(world, "bravo-sensor", ndjson(at("10:01:00", 3, QueryName=DOMAIN)))
    worker = detect_with(world, engine, watchlists)  # a new worker: the saved windows serve
    assert worker.counts.alerts == 1
    (alert,) = alerts(world, "bravo-analyst")
    assert alert["rule_id"] == shared["id"] and alerts(world, "alpha-analyst") == []


def test_one_worker_sees_the_sequence_and_raises_one_indicator_alert(
    world: World, engine: Engine
) -> None:
    shared = indicator("alpha", pattern=PATTERN, x_shieldwall_level="high")
    share_as(world, "alpha", shared)
    watchlists = Watchlists(world.services.store)
    watchlists.refresh()
    body = ndjson(
        at("10:00:00", 1, DestinationIp=ADDRESS),
        at("10:06:00", 2, QueryName=DOMAIN),  # 360 s later: outside WITHIN 300
        at("10:07:00", 3, DestinationIp=ADDRESS),
        at("10:08:00", 4, QueryName=DOMAIN),
    )
    post(world, "bravo-sensor", body)
    post(world, "alpha-sensor", ndjson(at("10:07:30", 5, QueryName=DOMAIN)))
    worker = detect_with(world, engine, watchlists)
    assert worker.counts.alerts == 1
    (alert,) = alerts(world, "bravo-analyst")
    assert alert["rule_id"] == shared["id"] and alert["kind"] == "indicator"
    assert alert["level"] == "high" and alert["matched"] == {"pattern": PATTERN}
    assert alert["rule_title"].startswith("Indicator pattern: ")
    assert alerts(world, "alpha-analyst") == []  # alpha's query never met bravo's address


def test_the_gate_decides_which_patterns_a_member_gets(world: World) -> None:
    green = indicator("alpha", pattern=PATTERN)
    red = indicator("alpha", tlp="red", pattern=PATTERN.replace(DOMAIN, "red.example"))
    share_as(world, "alpha", green, red)
    watchlists = Watchlists(world.services.store)
    watchlists.refresh()
    assert [p.indicator_id for p in watchlists.patterns("bravo")] == [green["id"]]
    assert [p.indicator_id for p in watchlists.patterns("alpha")] == [green["id"]]  # RED: people


def test_a_revoked_pattern_leaves_every_window(world: World) -> None:
    shared = indicator("alpha", pattern=PATTERN)
    share_as(world, "alpha", shared)
    watchlists = Watchlists(world.services.store)
    watchlists.refresh()
    assert len(watchlists.patterns("bravo")) == 1
    share_as(world, "alpha", {**shared, "modified": LATER, "revoked": True})
    assert watchlists.refresh() and watchlists.updates == 1
    assert len(watchlists.patterns("bravo")) == 0 and len(watchlists.patterns("alpha")) == 0


def test_a_crash_after_the_store_neither_loses_nor_doubles(world: World, engine: Engine) -> None:
    repeated = indicator("alpha", pattern=f"[ipv4-addr:value = '{ADDRESS}'] REPEATS 3 TIMES")
    share_as(world, "alpha", repeated)
    watchlists = Watchlists(world.services.store)
    watchlists.refresh()
    twice = ndjson(
        at("10:00:00", 1, DestinationIp=ADDRESS), at("10:00:01", 2, DestinationIp=ADDRESS)
    )
    post(world, "bravo-sensor", twice)
    assert detect_with(world, engine, watchlists, ack=False).counts.alerts == 0  # then dies
    assert detect_with(world, engine, watchlists).counts.alerts == 0  # redelivered: still 2
    post(world, "bravo-sensor", ndjson(at("10:00:02", 3, DestinationIp=ADDRESS)))
    assert detect_with(world, engine, watchlists, ack=False).counts.alerts == 1  # third: dies
    assert detect_with(world, engine, watchlists).counts.alerts == 0  # stored once already
    (alert,) = alerts(world, "bravo-analyst")
    assert alert["rule_id"] == repeated["id"] and "10:00:02" in str(alert["event_time"])
