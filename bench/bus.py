"""Bus throughput: messages/s for publish and for consume+ack, embedded and NATS.

    .venv/bin/python bench/bus.py [--messages 5000] [--nats nats://127.0.0.1:4222]

Each line also prints the event loop's worst stall (how long another task, say an HTTP
request, could wait) while the work yields between calls. The embedded bus is measured
with SQLite on its thread (the default) and inline on the loop: inline is a little faster
but every fsync then stalls the loop. NATS is skipped when unreachable.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from shieldwall.bus.embedded import EmbeddedBus
from shieldwall.bus.nats import NatsBus
from shieldwall.bus.protocol import Bus
from shieldwall.model.errors import BusError

PAYLOAD = b"x" * 512
BATCH = 100


async def worst_loop_stall(work: Callable[[], Awaitable[None]]) -> float:
    """Run ``work`` while a ticker measures the longest the loop was unavailable (s)."""
    worst = 0.0
    done = False

    async def ticker() -> None:
        nonlocal worst
        while not done:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            worst = max(worst, time.perf_counter() - before - 0.001)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    await work()
    done = True
    await task
    return worst


async def publish_one_by_one(bus: Bus, subject: str, count: int) -> None:
    for n in range(count):
        await bus.publish(subject, PAYLOAD, key=f"one-{n}")
        await asyncio.sleep(0)  # a stage lets other tasks run between messages


async def publish_batched(bus: Bus, subject: str, count: int) -> None:
    for start in range(0, count, BATCH):
        end = min(start + BATCH, count)
        await bus.publish_many(subject, [(f"many-{n}", PAYLOAD) for n in range(start, end)])
        await asyncio.sleep(0)


async def consume_all(bus: Bus, subject: str, count: int) -> None:
    consumer = await bus.consumer(subject, "bench", ack_wait=60)
    received = 0
    while received < count:
        deliveries = await consumer.fetch(BATCH, timeout=2)
        if not deliveries:
            raise BusError(f"bench: only {received} of {count} messages came back")
        await consumer.ack(*deliveries)
        received += len(deliveries)
        await asyncio.sleep(0)
    await consumer.close()


async def timed(label: str, count: int, work: Callable[[], Awaitable[None]]) -> None:
    """Messages/s (wall clock, noisy on a shared machine) and the process's CPU µs per
    message (every thread: the embedded bus's SQLite runs on its own; the figure to
    compare)."""
    started, cpu = time.perf_counter(), time.process_time()
    stall = await worst_loop_stall(work)
    elapsed = time.perf_counter() - started
    per = (time.process_time() - cpu) / count * 1e6
    print(f"  {label:<34} {count / elapsed:>10,.0f} msg/s {per:6.1f} µs CPU/msg   "
          f"worst loop stall {stall * 1e3:6.1f} ms")  # fmt: skip


async def measure(name: str, bus: Bus, count: int) -> None:
    print(name)
    subject = f"bench.{uuid.uuid4().hex[:8]}"
    try:
        single = max(count // 5, 1)
        await timed(
            "publish, one at a time", single, lambda: publish_one_by_one(bus, subject, single)
        )
        await timed(
            f"publish_many, batches of {BATCH}", count, lambda: publish_batched(bus, subject, count)
        )
        await timed(
            f"fetch {BATCH} + ack",
            count + single,
            lambda: consume_all(bus, subject, count + single),
        )
    finally:
        await bus.drop(subject)
        await bus.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bench.db"
        threaded = await EmbeddedBus.open(path)
        await measure("embedded (SQLite on the bus thread)", threaded, arguments.messages)
        inline = await EmbeddedBus.open(path, threaded=False)
        await measure("embedded (SQLite inline on the loop)", inline, arguments.messages)
    try:
        nats_bus = await NatsBus.connect([arguments.nats])
    except BusError as error:
        print(f"NATS skipped: {error}")
        return
    await measure(f"NATS JetStream ({arguments.nats})", nats_bus, arguments.messages)


if __name__ == "__main__":
    asyncio.run(main())
