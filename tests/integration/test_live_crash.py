"""Nothing acknowledged is lost and nothing is doubled when the detect worker is killed
(issue 10): the worker runs as `shieldwall worker detect`, is SIGKILLed again and again
while batches stream in over HTTP, and the alerts in the end are exactly those the engine
gives for the same events offline; `shieldwall worker fuse`, killed too, puts every alert
hit in an incident exactly once. On the embedded default, and on NATS JetStream with
PostgreSQL."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.loader import load_rules
from shieldwall.ingest.intake import read_batch
from shieldwall.model.incident import IncidentQuery
from shieldwall.normalise import normalise
from tests.conftest import POSTGRES_URL
from tests.unit.api.conftest import World, build_world
from tests.unit.live.test_live_pipeline import RULES, SSHD, ndjson, sysmon

BATCHES = 12
PER_BATCH = 150


def _batch(number: int) -> bytes:
    records: list[Any] = []
    for line in range(PER_BATCH):
        n = number * PER_BATCH + line
        if n % 3 == 0:
            records.append(sysmon("C:\\x\\evil.exe", n))
        elif n % 3 == 1:
            records.append(sysmon(f"C:\\x\\tool{n}.exe", n))
        else:
            records.append(SSHD.replace("4242", str(n)))
    return ndjson(*records)


def _expected(rules: Path) -> int:
    engine = Engine(load_rules([rules]))
    total = 0
    for number in range(BATCHES):
        for record in read_batch(_batch(number), source="offline").records:
            total += len(engine.match(normalise(record)))
    return total


@pytest.fixture
def own_postgres_schema(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL schema for this test alone, dropped afterwards."""
    import psycopg

    schema = f"sw_crash_{os.getpid()}_{secrets.token_hex(4)}"
    admin = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(
    params=["embedded", pytest.param("nats", marks=[pytest.mark.nats, pytest.mark.postgres])]
)
def live_world(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[World, dict[str, str]]]:
    rules = tmp_path / "live.yml"
    rules.write_text(RULES, encoding="utf-8")
    env = {"SHIELDWALL_LIVE_RULES": str(rules), "SHIELDWALL_LOG_LEVEL": "WARNING"}
    database_url = ""
    if request.param == "nats":
        # a schema of its own: the session's schema may hold other tests' organisations
        database_url = request.getfixturevalue("own_postgres_schema")
        env["SHIELDWALL_BUS_URL"] = request.getfixturevalue("nats_url")
        env["SHIELDWALL_BUS_NAMESPACE"] = f"t{secrets.token_hex(6)}"
        env["SHIELDWALL_DATABASE_URL"] = database_url
    world = build_world(tmp_path / "data", database_url, **env)
    env["SHIELDWALL_DATA_DIR"] = str(tmp_path / "data")
    with world.client:  # one event loop for every request, its bus closed at the end
        yield world, env
    world.services.close()


def _worker(env: dict[str, str], stage: str = "detect") -> subprocess.Popen[bytes]:
    """A `shieldwall worker STAGE` process; its errors go to worker.log in the data dir."""
    with open(Path(env["SHIELDWALL_DATA_DIR"]) / "worker.log", "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "shieldwall.cli", "worker", stage],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def _log(env: dict[str, str]) -> str:
    return (Path(env["SHIELDWALL_DATA_DIR"]) / "worker.log").read_text(errors="replace")[-3000:]


def _count(world: World) -> int:
    with world.services.store.reading() as tx:
        return tx.alerts.hit_count()


def _fused(world: World) -> int:
    """Alert hits counted on incidents (an absorbed incident hands its count over)."""
    with world.services.store.reading() as tx:
        return sum(
            i.alert_count for i in tx.incidents.page(IncidentQuery(org_ids=None, limit=10**6))
        )


def test_sigkill_during_the_stream_loses_and_doubles_nothing(
    live_world: tuple[World, dict[str, str]], tmp_path: Path
) -> None:
    world, env = live_world
    expected = _expected(Path(env["SHIELDWALL_LIVE_RULES"]))
    worker = _worker(env)
    fuse = _worker(env, "fuse")
    kills = 0
    try:
        for number in range(BATCHES):
            answer = world.client.post(
                "/api/v1/ingest",
                content=_batch(number),
                headers={**world.auth("alpha-sensor"), "content-type": "application/x-ndjson"},
            )
            assert answer.status_code == 200 and answer.json()["accepted"] == PER_BATCH
            if number % 4 == 3:  # kill it mid-stream, then start another
                time.sleep(0.3)
                worker.send_signal(signal.SIGKILL)
                worker.wait(10)
                kills += 1
                worker = _worker(env)
            if number % 4 == 1:  # and the fuse worker, at other moments
                time.sleep(0.2)
                fuse.send_signal(signal.SIGKILL)
                fuse.wait(10)
                fuse = _worker(env, "fuse")
        deadline = time.monotonic() + 120
        while _count(world) < expected and time.monotonic() < deadline:
            assert worker.poll() is None, _log(env)
            time.sleep(0.2)
        time.sleep(1.0)  # anything doubled would show up now
        assert kills == 3
        assert _count(world) == expected, _log(env)
        with world.services.store.reading() as tx:
            stored = tx.alerts.page(None, after=0, limit=100_000)
        assert sum(a.count for a in stored) == expected  # duplicates counted, none twice
        assert {a.org_id for a in stored} == {"alpha"}
        while _fused(world) < expected and time.monotonic() < deadline:
            assert fuse.poll() is None, _log(env)
            time.sleep(0.2)
        time.sleep(1.0)
        assert _fused(world) == expected, _log(env)  # every hit in one incident, once
    finally:
        for process in (worker, fuse):
            process.send_signal(signal.SIGTERM)
            process.wait(20)
