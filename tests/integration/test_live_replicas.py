"""Two detect replicas on NATS JetStream with PostgreSQL, and on the embedded store and bus,
produce exactly the alerts one replica produces (issue 10): the same batches go to a
deployment with one `shieldwall worker detect` and to one with two sharing the durable
consumer; the alerts of the rules
are the same set (member, bus sequence, rule — the streams number alike), each stored
once, and the correlation fires as often for each group. (Which event completes a
correlation may differ: replicas take the batches in their own order.)"""

from __future__ import annotations

import os
import secrets
import signal
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from shieldwall.model.alert import Alert
from tests.conftest import POSTGRES_URL
from tests.integration.test_live_correlation_crash import BATCHES, RULES, batch, offline
from tests.integration.test_live_crash import _log, _worker
from tests.unit.api.conftest import World, build_world

LAYOUTS = [
    pytest.param("nats", marks=[pytest.mark.nats, pytest.mark.postgres]),
    pytest.param("embedded"),  # `up --stage-processes --detect-workers 2`
]


@contextmanager
def own_schema() -> Iterator[str]:
    import psycopg

    schema = f"sw_replicas_{os.getpid()}_{secrets.token_hex(4)}"
    admin = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def alerts_of(world: World) -> list[Alert]:
    with world.services.store.reading() as tx:
        return list(tx.alerts.page(None, after=0, limit=100_000))


@contextmanager
def no_schema() -> Iterator[str]:
    yield ""


def run(replicas: int, data: Path, nats_url: str, expected: int) -> list[Alert]:
    """Stream the batches through ``replicas`` detect workers; the alerts in the end.
    Without ``nats_url``, on the embedded store and bus of ``data``."""
    rules = data / "live.yml"
    data.mkdir(parents=True)
    rules.write_text(RULES, encoding="utf-8")
    with own_schema() if nats_url else no_schema() as database_url:
        env = {
            "SHIELDWALL_LIVE_RULES": str(rules),
            "SHIELDWALL_LOG_LEVEL": "WARNING",
            "SHIELDWALL_ALERT_DEDUP_SECONDS": "0",
        }
        if nats_url:
            env["SHIELDWALL_BUS_URL"] = nats_url
            env["SHIELDWALL_BUS_NAMESPACE"] = f"t{secrets.token_hex(6)}"
            env["SHIELDWALL_DATABASE_URL"] = database_url
        world = build_world(data / "data", database_url, **env)
        env["SHIELDWALL_DATA_DIR"] = str(data / "data")
        workers = [_worker(env) for _ in range(replicas)]
        try:
            with world.client:
                for number in range(BATCHES):
                    answer = world.client.post(
                        "/api/v1/ingest",
                        content=batch(number),
                        headers={
                            **world.auth("alpha-sensor"),
                            "content-type": "application/x-ndjson",
                        },
                    )
                    assert answer.status_code == 200, answer.text
            deadline = time.monotonic() + 120
            while len(alerts_of(world)) < expected and time.monotonic() < deadline:
                assert all(w.poll() is None for w in workers), _log(env)
                time.sleep(0.2)
            time.sleep(1.0)  # anything doubled would show up now
            return alerts_of(world)
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
                worker.wait(20)
            world.services.close()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_two_replicas_raise_exactly_what_one_raises(
    layout: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    nats_url = str(request.getfixturevalue("nats_url")) if layout == "nats" else ""
    fires = offline_fires(tmp_path)
    base = BATCHES * 100 // 2  # every other event starts evil.exe
    expected = base + sum(fires.values())
    one = run(1, tmp_path / "one", nats_url, expected)
    two = run(2, tmp_path / "two", nats_url, expected)
    assert len(one) == len(two) == expected

    def rules(alerts: list[Alert]) -> set[tuple[str, str, str, int]]:
        return {(a.key, a.rule_id, a.source, a.count) for a in alerts if a.kind == "rule"}

    def correlations(alerts: list[Alert]) -> Counter[str]:
        return Counter(str(a.event["User"]) for a in alerts if a.kind == "event_count")

    assert len(rules(one)) == base and rules(one) == rules(two)
    assert correlations(one) == correlations(two) == fires


def offline_fires(tmp_path: Path) -> Counter[str]:
    (tmp_path / "offline.yml").write_text(RULES, encoding="utf-8")
    return offline(tmp_path / "offline.yml")
