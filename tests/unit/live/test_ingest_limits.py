"""The intake's limits: each refusal a 4xx problem document naming its limit; a member over
its rate waits alone; a bus that does not keep up pushes back with 429 instead of queueing."""

from __future__ import annotations

import asyncio
import json
import pickle
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from shieldwall.ingest.intake import MAX_BATCH_RECORDS, MAX_RECORD_BYTES
from shieldwall.live import EVENTS_SUBJECT, IngestDesk, IngestLimits
from shieldwall.live.event_packs import unpack
from shieldwall.model.errors import LimitExceededError, RateLimitedError
from shieldwall.model.event import RawRecord, SourceRef
from tests.unit.api.conftest import World, build_world

SSHD = "<38>Dec  1 10:00:01 web1 sshd[4242]: Failed password for root from 203.0.113.9 port 5"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def ndjson(*records: Any) -> bytes:
    return b"".join(json.dumps(record).encode() + b"\n" for record in records)


def post(world: World, caller: str, body: bytes) -> Any:
    return world.client.post(
        "/api/v1/ingest",
        content=body,
        headers={**world.auth(caller), "content-type": "application/x-ndjson"},
    )


@pytest.fixture
def slow_world(tmp_path: Path) -> Iterator[World]:
    built = build_world(
        tmp_path,
        SHIELDWALL_INGEST_RATE_PER_MEMBER="1",
        SHIELDWALL_INGEST_BURST_PER_MEMBER="3",
    )
    yield built
    built.services.close()


def test_a_member_over_its_rate_waits_and_the_others_do_not() -> None:
    clock = Clock()
    limits = IngestLimits(rate=2.0, burst=4, clock=clock)
    limits.take("alpha", 4)
    with pytest.raises(RateLimitedError) as refused:
        limits.take("alpha", 3)
    assert refused.value.retry_after == 2 and refused.value.limit == "ingest_rate_per_member"
    limits.take("bravo", 4)  # bravo has its own bucket
    clock.now += 1.0  # two tokens back: still one short of three
    with pytest.raises(RateLimitedError) as again:
        limits.take("alpha", 3)
    assert again.value.retry_after == 1
    clock.now += 0.5
    limits.take("alpha", 3)


def test_a_batch_larger_than_the_bucket_passes_when_it_is_full() -> None:
    clock = Clock()
    limits = IngestLimits(rate=10.0, burst=5, clock=clock)
    limits.take("alpha", 50)  # full bucket: taken, the bucket in debt
    with pytest.raises(RateLimitedError) as refused:
        limits.take("alpha", 1)
    assert refused.value.retry_after == 5  # 45 tokens of debt plus one, at 10 a second
    clock.now += 5.0
    limits.take("alpha", 1)


def test_rate_zero_is_no_limit_and_the_bound_lets_a_lone_batch_through() -> None:
    limits = IngestLimits(rate=0.0, max_in_flight=10)
    limits.take("alpha", 10**9)
    with limits.publishing(50):  # larger than the bound, but alone
        assert limits.in_flight == 50
        with pytest.raises(RateLimitedError) as refused, limits.publishing(1):
            pass
    assert refused.value.limit == "ingest_max_in_flight" and refused.value.retry_after == 1
    assert limits.in_flight == 0


def test_refusals_survive_pickling_with_their_limit() -> None:
    error = pickle.loads(pickle.dumps(LimitExceededError("big", limit="max_batch_bytes")))
    assert isinstance(error, LimitExceededError) and error.limit == "max_batch_bytes"
    rated = pickle.loads(pickle.dumps(RateLimitedError("x", retry_after=3, limit="r")))
    assert (rated.retry_after, rated.limit) == (3, "r")


def test_over_the_rate_is_a_429_naming_the_limit_for_that_member_only(slow_world: World) -> None:
    assert post(slow_world, "alpha-sensor", ndjson(SSHD, SSHD, SSHD)).status_code == 200
    refused = post(slow_world, "alpha-sensor", ndjson(SSHD, SSHD))
    assert refused.status_code == 429, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "2"
    problem = refused.json()
    assert problem["limit"] == "ingest_rate_per_member" and problem["retry_after"] == 2
    assert "alpha" in problem["detail"]
    assert post(slow_world, "bravo-sensor", ndjson(SSHD, SSHD)).json()["accepted"] == 2


def test_too_many_lines_is_a_413_naming_the_limit(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    try:
        refused = post(world, "alpha-sensor", b"\n" * (MAX_BATCH_RECORDS + 1))
        assert refused.status_code == 413, refused.text
        assert refused.json()["limit"] == "max_batch_records"
        too_big = post(world, "alpha-sensor", b"\n" * 70_000)  # over max_body_bytes (64 KiB)
        assert too_big.status_code == 413 and too_big.json()["limit"] == "max_body_bytes"
    finally:
        world.services.close()


def test_an_over_long_record_is_refused_alone_naming_the_limit() -> None:
    from shieldwall.ingest.intake import read_batch

    line = json.dumps("x" * (MAX_RECORD_BYTES + 1)).encode()
    intake = read_batch(line + b"\n" + ndjson(SSHD), source="t")
    assert len(intake.records) == 1
    (refused,) = intake.refused
    assert refused.line == 1 and "max_record_bytes" in refused.reason


class StalledBus:
    """A bus whose publishes wait until released: a consumer (or broker) not keeping up."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.published: list[int] = []

    async def publish_many(self, subject: str, messages: Sequence[tuple[str, bytes]]) -> list[int]:
        await self.release.wait()
        self.published.append(sum(len(unpack(1, payload)) for _, payload in messages))
        return list(range(len(messages)))


def records(count: int, batch: str) -> list[RawRecord]:
    return [RawRecord(SourceRef(batch, n), "syslog", SSHD) for n in range(1, count + 1)]


def test_a_stalled_bus_pushes_back_instead_of_queueing() -> None:
    async def run() -> tuple[StalledBus, IngestLimits]:
        bus = StalledBus()

        async def source() -> Any:
            return bus

        limits = IngestLimits(max_in_flight=5)
        desk = IngestDesk(source, "events", limits)
        first = asyncio.create_task(desk.publish_records("alpha", "b1", records(4, "b1")))
        await asyncio.sleep(0.01)
        assert limits.in_flight == 4
        with pytest.raises(RateLimitedError) as refused:
            await desk.publish_records("bravo", "b2", records(2, "b2"))
        assert refused.value.limit == "ingest_max_in_flight"
        bus.release.set()
        assert (await first).accepted == 4
        assert (await desk.publish_records("bravo", "b2", records(2, "b2"))).accepted == 2
        return bus, limits

    bus, limits = asyncio.run(run())
    assert bus.published == [4, 2] and limits.in_flight == 0


def test_a_stopped_detect_consumer_makes_ingest_push_back(tmp_path: Path) -> None:
    world = build_world(tmp_path, SHIELDWALL_INGEST_MAX_BACKLOG="2")
    clock = Clock()
    world.services.ingest_limits.clock = clock
    try:

        async def open_detect() -> None:  # the detect worker started once, then stopped
            assert world.services.buses is not None
            bus = await world.services.buses.own()
            await (await bus.consumer(EVENTS_SUBJECT, "detect")).close()
            await bus.close()

        asyncio.run(open_detect())
        assert post(world, "alpha-sensor", ndjson(SSHD, SSHD, SSHD)).status_code == 200
        clock.now += 0.5  # the backlog read a moment ago (0) still stands
        assert post(world, "bravo-sensor", ndjson(SSHD)).status_code == 200
        clock.now += 1.0
        refused = post(world, "bravo-sensor", ndjson(SSHD))
        assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
        assert refused.json()["limit"] == "ingest_max_backlog"
        assert "4 events behind" in refused.json()["detail"]
    finally:
        world.services.close()


def test_without_a_detect_consumer_nothing_is_behind(tmp_path: Path) -> None:
    world = build_world(tmp_path, SHIELDWALL_INGEST_MAX_BACKLOG="1")
    try:
        for _ in range(3):
            assert post(world, "alpha-sensor", ndjson(SSHD, SSHD)).status_code == 200
    finally:
        world.services.close()
