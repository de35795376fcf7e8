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
