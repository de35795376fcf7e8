"""The ingest path alone, in process: CPU per event of ``IngestDesk.accept`` (issue 10).

On the embedded default every stage shares one process and one GIL, so each µs the intake
spends per event is taken from detection. This times, without HTTP, what
``POST /api/v1/ingest`` runs for every EVTX record of the corpus (as ``evtx_dump`` JSON,
NDJSON batches of 1,000, as ``bench/pipeline.py`` sends them):

- ``accept``: events/s (wall) and CPU µs per event (``time.process_time``, every thread of
  the process, so the bus thread's SQLite work counts too);
- a breakdown of the same CPU by stage, each stage run alone over the same batches:
  ``read_batch``, ``normalise`` (with the tool-alert check), ``encode`` and ``publish``.

Wall time on a shared machine is noisy; CPU per event is the figure to compare.

    .venv/bin/python bench/ingest.py [--corpus ../shared/corpus] [--rounds 3]
        [--bus-url nats://127.0.0.1:4222]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import TypeVar

from pipeline import records
from shieldwall.bus.factory import open_bus
from shieldwall.bus.protocol import Bus
from shieldwall.ingest.intake import read_batch

try:
    from shieldwall.ingest.intake import iter_batch
except ImportError:  # the code before the streaming intake, for before/after figures
    iter_batch = None  # type: ignore[assignment]
from shieldwall.live.intake import IngestDesk, _event
from shieldwall.live.wire import encode_event
from shieldwall.model.event import RawRecord
from shieldwall.model.identity import Principal, Role

BATCH = 1000
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
T = TypeVar("T")
Message = tuple[str, bytes]


def batches(lines: list[bytes]) -> list[bytes]:
    """The lines as NDJSON bodies of :data:`BATCH` lines each."""
    return [b"\n".join(lines[at : at + BATCH]) + b"\n" for at in range(0, len(lines), BATCH)]


def cpu(work: Callable[[], T]) -> tuple[T, float, float]:
    """``work()``, its CPU seconds (all threads) and its wall seconds."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = work()
    return result, time.process_time() - cpu0, time.perf_counter() - wall0


async def acpu(work: Callable[[], Awaitable[T]]) -> tuple[T, float, float]:
    """As :func:`cpu`, for a coroutine."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = await work()
    return result, time.process_time() - cpu0, time.perf_counter() - wall0


async def open_fresh(url: str, folder: Path, name: str) -> tuple[Bus, str]:
    """A bus with nothing on the subject used, so every publish inserts."""
    subject = f"bench{os.getpid()}x{uuid.uuid4().hex[:8]}.events.normalised"
    if url:
        return await open_bus(url), subject
    return await open_bus(f"sqlite:///{folder / name}.db"), subject


async def measure(bodies: list[bytes], url: str, folder: Path, round_: int) -> dict[str, float]:
    """CPU seconds of each stage and of the whole, over every batch."""
    sensor = Principal("bench-sensor", "alpha", Role.SENSOR)
    figures: dict[str, float] = {}

    bus, subject = await open_fresh(url, folder, f"accept{round_}")

    async def give() -> Bus:
        return bus

    desk = IngestDesk(give, subject=subject)

    async def accept_all() -> int:
        accepted = 0
        for body in bodies:
            accepted += (await desk.accept(sensor, body)).accepted
        return accepted

    accepted, figures["accept"], figures["accept_wall"] = await acpu(accept_all)
    figures["events"] = accepted
    await bus.drop(subject)
    await bus.close()

    _, figures["read_batch"], _ = cpu(lambda: _stages(bodies, normalise=False, encode=False))
    _, read_and_normalise, _ = cpu(lambda: _stages(bodies, normalise=True, encode=False))
    messages, read_to_message, _ = cpu(lambda: _stages(bodies, normalise=True, encode=True))
    figures["normalise"] = read_and_normalise - figures["read_batch"]
    figures["encode"] = read_to_message - read_and_normalise

    bus, subject = await open_fresh(url, folder, f"publish{round_}")

    async def publish_all() -> None:
        for batch in messages:
            await bus.publish_many(subject, batch)

    _, figures["publish"], _ = await acpu(publish_all)
    await bus.drop(subject)
    await bus.close()
    return figures


def _stages(bodies: list[bytes], *, normalise: bool, encode: bool) -> list[list[Message]]:
    """Each batch's lines read (and normalised, and encoded) one record at a time, as
    ``accept`` takes them; only the messages are kept."""
    out: list[list[Message]] = []
    for body in bodies:
        messages: list[Message] = []
        for item in _read(body):
            if not isinstance(item, RawRecord) or not normalise:
                continue
            event = _event(item)
            if encode:
                key = f"alpha:b:{item.source.record_id}"
                messages.append((key, encode_event(event, "alpha")))
        out.append(messages)
    return out


def _read(body: bytes) -> Iterable[object]:
    """The batch's lines one by one (``read_batch`` whole where there is no ``iter_batch``,
    as ``accept`` read them before)."""
    if iter_batch is None:
        return read_batch(body, source="bench").records
    return iter_batch(body, source="bench")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bus-url", default="", help="nats://... (default: embedded)")
    parser.add_argument(
        "--ballast",
        type=int,
        default=0,
        help="long-lived objects to hold, as the server's rules and watchlists do (the "
        "garbage collector's full passes walk them)",
    )
    args = parser.parse_args()
    ballast = [{"indicator": str(n)} for n in range(args.ballast)]
    lines = records(args.corpus)
    bodies = batches(lines)
    print(f"{len(lines)} EVTX records, {len(bodies)} batches of up to {BATCH}")
    print(f"bus: {args.bus_url or 'embedded (SQLite in a temp dir)'}; ballast: {len(ballast)}")
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(args.rounds):
            figures = asyncio.run(measure(bodies, args.bus_url, Path(folder), round_))
            for name, value in figures.items():
                best[name] = min(best.get(name, value), value)
    events = best["events"]
    print(f"accepted: {int(events)} events (best of {args.rounds} rounds)")
    print(
        f"accept: {events / best['accept_wall']:,.0f} events/s wall, "
        f"{events / best['accept']:,.0f} events/s of CPU, "
        f"{best['accept'] / events * 1e6:.1f} µs CPU/event"
    )
    for stage in ("read_batch", "normalise", "encode", "publish"):
        print(f"  {stage:<11} {best[stage] / events * 1e6:6.1f} µs CPU/event")


if __name__ == "__main__":
    main()
