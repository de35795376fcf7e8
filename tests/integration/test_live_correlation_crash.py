"""Correlation state survives the detect worker (issue 10): with a correlation rule in the
live rules, `shieldwall worker detect` is SIGKILLed again and again while batches stream
in, and the correlation alerts in the end are exactly those one engine fed the same events
offline gives — no window lost with a process, none counted twice after a redelivery. On
the embedded default, and on NATS JetStream with PostgreSQL."""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shieldwall.detect.correlate import CorrelationEngine
from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.loader import load_rules
from shieldwall.ingest.intake import read_batch
from shieldwall.normalise import normalise
from tests.integration.test_live_crash import _log, _worker, own_postgres_schema
from tests.unit.api.conftest import World, build_world
from tests.unit.live.test_live_pipeline import ndjson, sysmon

__all__ = ["own_postgres_schema"]  # the fixture, used by name below

BATCHES = 12
PER_BATCH = 100
USERS = 4
RULES = """\
title: Evil binary started
id: 7c4d7b0e-1c2a-4f55-9b6e-0a8f7d1e2c31
name: evil_binary
status: test
level: high
logsource: {product: windows, category: process_creation}
detection:
    selection: {Image|endswith: '\\\\evil.exe'}
    condition: selection
---
title: One user starts evil binaries again and again
id: 9d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6
name: evil_again
status: test
level: critical
correlation:
    type: event_count
    rules: [evil_binary]
    group-by: [User]
    timespan: 1h
    condition: {gte: 7}
    generate: true
"""


def batch(number: int) -> bytes:
    records: list[Any] = []
    for line in range(PER_BATCH):
        n = number * PER_BATCH + line
        image = "C:\\x\\evil.exe" if n % 2 == 0 else f"C:\\x\\tool{n}.exe"
        records.append(sysmon(image, n, User=f"ALPHA\\u{(n // 2) % USERS}"))
    return ndjson(*records)


def offline(rules: Path) -> Counter[str]:
    """How often the correlation fires for each user over the stream, in order."""
    ruleset = load_rules([rules])
    engine = Engine(ruleset)
    correlator = CorrelationEngine(
        ruleset.correlations, [(r.rule_id, r.name) for r in ruleset.rules]
    )
    fired: Counter[str] = Counter()
    for number in range(BATCHES):
        for record in read_batch(batch(number), source="offline").records:
            for detection in engine.match(normalise(record)):
                for output in correlator.feed(detection):
                    fired[str(output.group["User"])] += 1
    return fired


def stored(world: World) -> Counter[str]:
    """How often the correlation fired for each user, as stored (each hit counted once)."""
    with world.services.store.reading() as tx:
        alerts = tx.alerts.page(None, after=0, limit=100_000)
    found: Counter[str] = Counter()
    for alert in alerts:
        if alert.kind == "event_count":
            found[str(alert.event["User"])] += alert.count
    return found


@pytest.fixture(
    params=["embedded", pytest.param("nats", marks=[pytest.mark.nats, pytest.mark.postgres])]
)
def live_world(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[World, dict[str, str]]]:
    rules = tmp_path / "live.yml"
    rules.write_text(RULES, encoding="utf-8")
    env = {
        "SHIELDWALL_LIVE_RULES": str(rules),
        "SHIELDWALL_LOG_LEVEL": "WARNING",
        "SHIELDWALL_ALERT_DEDUP_SECONDS": "0",
    }
    database_url = ""
    if request.param == "nats":
        import secrets

        database_url = request.getfixturevalue("own_postgres_schema")
        env["SHIELDWALL_BUS_URL"] = request.getfixturevalue("nats_url")
        env["SHIELDWALL_BUS_NAMESPACE"] = f"t{secrets.token_hex(6)}"
        env["SHIELDWALL_DATABASE_URL"] = database_url
    world = build_world(tmp_path / "data", database_url, **env)
    env["SHIELDWALL_DATA_DIR"] = str(tmp_path / "data")
    with world.client:
        yield world, env
    world.services.close()


def test_sigkill_keeps_correlation_windows_whole_and_single(
    live_world: tuple[World, dict[str, str]],
) -> None:
    world, env = live_world
    expected = offline(Path(env["SHIELDWALL_LIVE_RULES"]))
    assert len(expected) == USERS and sum(expected.values()) == USERS * (150 // 7)
    worker = _worker(env)
    kills = 0
    try:
        for number in range(BATCHES):
            answer = world.client.post(
                "/api/v1/ingest",
                content=batch(number),
                headers={**world.auth("alpha-sensor"), "content-type": "application/x-ndjson"},
            )
            assert answer.status_code == 200 and answer.json()["accepted"] == PER_BATCH
            if number % 3 == 2:
                time.sleep(0.3)
                worker.send_signal(signal.SIGKILL)
                worker.wait(10)
                kills += 1
                worker = _worker(env)
        total = sum(expected.values())
        deadline = time.monotonic() + 120
        while sum(stored(world).values()) < total and time.monotonic() < deadline:
            assert worker.poll() is None, _log(env)
            time.sleep(0.2)
        time.sleep(1.0)  # anything doubled would show up now
        assert kills == 4
        assert stored(world) == expected, _log(env)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(20)
