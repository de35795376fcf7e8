"""Correlation rules in the live pipeline, checkpointed with each batch's alerts: a batch
stored but never acknowledged (a crash between the commit and the ack) is redelivered and
feeds the correlations nothing twice; a worker started afresh carries on from the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shieldwall.detect.sigma.loader import load_rules
from shieldwall.live import LiveRules
from tests.integration.test_live_correlation_crash import RULES, USERS, batch, offline, stored
from tests.unit.api.conftest import World, build_world
from tests.unit.live.test_live_pipeline import detect_all, post


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path, SHIELDWALL_ALERT_DEDUP_SECONDS="0")
    yield built
    built.services.close()


def test_a_redelivered_batch_feeds_nothing_twice_and_state_outlives_the_worker(
    world: World, tmp_path: Path
) -> None:
    (tmp_path / "live.yml").write_text(RULES, encoding="utf-8")
    ruleset = load_rules([tmp_path / "live.yml"])
    assert not ruleset.problems and len(ruleset.correlations) == 1
    full = offline(tmp_path / "live.yml")
    for number in range(12):
        assert post(world, "alpha-sensor", batch(number)).status_code == 200
        rules = LiveRules(world.services.store, ruleset)  # a new worker each time: a restart
        if number % 2 == 0:
            detect_all(world, rules, ack=False)  # committed, then a crash before the ack
        detect_all(world, LiveRules(world.services.store, ruleset))
    assert len(full) == USERS and stored(world) == full
    with world.services.store.reading() as tx:
        state = tx.correlations.load("alpha")
    assert state is not None and state["correlations"], "groups still open are kept"


def test_correlation_alerts_stored_before_a_crash_are_announced_to_fuse(
    world: World, tmp_path: Path
) -> None:
    """The crash came between the commit and the announcement: the redelivered batch
    claims nothing, yet the fuse stage hears of every correlation alert it had raised."""
    import asyncio

    from shieldwall.live import ALERTS_SUBJECT
    from shieldwall.live.wire import decode_hits

    (tmp_path / "live.yml").write_text(RULES, encoding="utf-8")
    ruleset = load_rules([tmp_path / "live.yml"])
    for number in range(2):
        post(world, "alpha-sensor", batch(number))
    detect_all(world, LiveRules(world.services.store, ruleset), ack=False)  # nothing announced
    detect_all(world, LiveRules(world.services.store, ruleset))
    with world.services.store.reading() as tx:
        fired = [a for a in tx.alerts.page(None, after=0, limit=10_000) if a.kind != "rule"]
    assert sum(alert.count for alert in fired) == USERS * (25 // 7)  # duplicates counted

    async def announced() -> set[str]:
        assert world.services.buses is not None
        bus = await world.services.buses.own()
        consumer = await bus.consumer(ALERTS_SUBJECT, "fuse")
        try:
            seen: set[str] = set()
            while deliveries := await consumer.fetch(1000, timeout=0.2):
                seen.update(key for d in deliveries for key, _ in decode_hits(d.payload))
            return seen
        finally:
            await consumer.close()
            await bus.close()

    correlation = "9d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6"
    heard = {key for key in asyncio.run(announced()) if key.endswith(correlation)}
    assert len(heard) == USERS * (25 // 7) and {a.key for a in fired} <= heard
    with world.services.store.reading() as tx:
        assert all(tx.alerts.hit(key) is not None for key in heard)


def test_a_members_correlation_over_a_centre_rule_counts_that_members_events_alone(
    world: World,
) -> None:
    from tests.unit.live.test_live_pipeline import alerts, ndjson, sysmon
    from tests.unit.live.test_rules_api import CORRELATION, RULE, add

    assert add(world, "centre-admin", RULE).status_code == 201
    assert add(world, "alpha-analyst", CORRELATION).status_code == 201  # names the centre's
    rules = LiveRules(world.services.store)
    assert rules.refresh() and rules.problems == ()
    evil = [sysmon("C:\\x\\evil.exe", n, User="ALPHA\\eve") for n in range(1, 4)]
    for sensor in ("alpha-sensor", "bravo-sensor"):
        assert post(world, sensor, ndjson(*evil)).json()["accepted"] == 3
    detect_all(world, rules)
    # without `generate: true`, alpha's correlation stands for the hits of the rule it names
    assert [a["kind"] for a in alerts(world, "alpha-analyst")] == ["event_count"]
    assert [a["kind"] for a in alerts(world, "bravo-analyst")] == ["rule"]
