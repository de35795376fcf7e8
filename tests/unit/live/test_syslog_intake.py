"""The syslog intake's back-pressure: a stalled member fills its queue; then its UDP drops
and counts, its TCP waits, and the other members go on; a 429 from the limits makes the
batch wait and go again under its key."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, cast

import pytest

from shieldwall.live import IngestDesk, IngestLimits, IngestReport, SourceMap, SyslogIntake
from shieldwall.live.event_packs import unpack
from shieldwall.model.errors import RateLimitedError
from shieldwall.model.event import RawRecord

LINE = b"<38>Dec  1 10:00:01 web1 sshd[4242]: Failed password for root"


class StalledDesk:
    """Publishes nothing of alpha's until released (alpha over its rate, say); the others'
    at once. Remembers every batch it was given."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.calls: list[tuple[str, str, int]] = []

    async def publish_records(
        self, member: str, batch: str, records: Sequence[RawRecord]
    ) -> IngestReport:
        self.calls.append((member, batch, len(records)))
        if member == "alpha":
            await self.release.wait()
        return IngestReport(accepted=len(records))


def intake(desk: object, **options: Any) -> SyslogIntake:
    return SyslogIntake(cast(IngestDesk, desk), SourceMap([]), **options)


def test_a_stalled_member_drops_its_datagrams_holds_its_streams_and_no_one_elses() -> None:
    async def run() -> tuple[SyslogIntake, StalledDesk]:
        desk = StalledDesk()
        syslog = intake(desk, queue_lines=3, batch_lines=2, batch_seconds=0.01)
        task = asyncio.create_task(syslog.run())
        for _ in range(2):
            syslog.offer("alpha", LINE)
        await asyncio.sleep(0.05)  # that batch is in the stalled publish
        for _ in range(5):
            syslog.offer("alpha", LINE)
        assert syslog.counts.dropped == 2  # three queued, two dropped
        with pytest.raises(TimeoutError):  # a stream waits: its reads pause
            await asyncio.wait_for(syslog.put("alpha", LINE), 0.05)
        for _ in range(3):  # bravo's lines go on meanwhile
            await asyncio.wait_for(syslog.put("bravo", LINE), 0.05)
        await asyncio.sleep(0.05)
        assert sum(n for member, _, n in desk.calls if member == "bravo") == 3
        desk.release.set()
        await syslog.put("alpha", LINE)
        await syslog.close()
        await task
        return syslog, desk

    syslog, desk = asyncio.run(run())
    assert syslog.counts.accepted == 9 and syslog.counts.dropped == 2
    assert sum(n for member, _, n in desk.calls if member == "alpha") == 6


class RatedDesk:
    """Refuses the first attempt with 429, as a member over its rate."""

    def __init__(self) -> None:
        self.batches: list[str] = []

    async def publish_records(
        self, member: str, batch: str, records: Sequence[RawRecord]
    ) -> IngestReport:
        self.batches.append(batch)
        if len(self.batches) == 1:
            raise RateLimitedError("over", retry_after=0)
        return IngestReport(accepted=len(records))


def test_a_batch_refused_for_rate_goes_again_under_the_same_key() -> None:
    async def run() -> tuple[SyslogIntake, RatedDesk]:
        desk = RatedDesk()
        syslog = intake(desk, batch_seconds=0.01)
        task = asyncio.create_task(syslog.run())
        await syslog.put("alpha", LINE)
        await syslog.close()
        await task
        return syslog, desk

    syslog, desk = asyncio.run(run())
    assert len(desk.batches) == 2 and desk.batches[0] == desk.batches[1]
    assert syslog.counts.accepted == 1


def test_the_real_desk_limits_reach_syslog_batches() -> None:
    async def run() -> list[int]:
        published: list[int] = []

        class Bus:
            async def publish_many(self, subject: str, messages: Sequence[Any]) -> list[int]:
                published.extend(len(unpack(1, body)) for _, body in messages)
                return list(range(len(messages)))

        async def source() -> Any:
            return Bus()

        desk = IngestDesk(source, "events", IngestLimits(rate=1000.0, burst=2))
        syslog = intake(desk, batch_lines=2, batch_seconds=0.01)
        task = asyncio.create_task(syslog.run())
        for _ in range(4):
            await syslog.put("alpha", LINE)
        await syslog.close()
        await task
        return published

    assert sum(asyncio.run(run())) == 4
