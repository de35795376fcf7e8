"""The NATS bus client's CPU per message: publish, and fetch + ack (issue 10).

Every stage on NATS pays these: the intake publishes each event, the detect worker
fetches and acks each event and publishes its alerts, the fuse worker fetches and acks
each alert. This measures the client's CPU (``time.process_time``; nats-server is another
process) per message for ``publish_many`` in batches of ``--publish-batch`` and for
``fetch`` + ``ack`` in batches of ``--fetch-batch`` (the detect worker's 500), with
payloads of ``--payload`` bytes (about an encoded event). Wall time on a shared machine is
noisy; CPU per message is the figure to compare.

    .venv/bin/python bench/nats_bus.py [--messages 20000] [--rounds 3]
        [--nats nats://127.0.0.1:4222]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import time
import uuid

from shieldwall.bus.nats import NatsBus
from shieldwall.bus.protocol import Delivery


async def measure(
    url: str, count: int, publish_batch: int, fetch_batch: int, size: int
) -> tuple[float, float, str]:
    """CPU seconds of publishing ``count`` messages and of fetching and acking them, and a
    digest of the sequence numbers publish gave and of every delivery (sequence, key,
    payload, attempt), to compare one version of the client with another."""
    bus = await NatsBus.connect([url])
    subject = f"bench.nats{uuid.uuid4().hex[:8]}"
    batches = [
        [
            (f"k{n}", f"{n}:".encode().ljust(size, b"x"))
            for n in range(start, min(start + publish_batch, count))
        ]
        for start in range(0, count, publish_batch)
    ]
    digest = hashlib.sha256()
    try:
        await bus.publish(subject, b"warm-up", key="warm-up")
        sequences: list[int] = []
        started = time.process_time()
        for batch in batches:
            sequences += await bus.publish_many(subject, batch)
        publish = time.process_time() - started
        digest.update(repr(sequences).encode())

        consumer = await bus.consumer(subject, "bench", ack_wait=60)
        received: list[Delivery] = []
        started = time.process_time()
        while len(received) < count + 1:
            deliveries = await consumer.fetch(fetch_batch, timeout=2)
            if not deliveries:
                raise SystemExit(f"only {len(received)} of {count + 1} messages came back")
            await consumer.ack(*deliveries)
            received += deliveries
        consume = time.process_time() - started
        for delivery in received:
            digest.update(repr((delivery.sequence, delivery.key, delivery.attempt)).encode())
            digest.update(delivery.payload)
        await consumer.close()
    finally:
        await bus.drop(subject)
        await bus.close()
    return publish, consume, digest.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--publish-batch", type=int, default=1000)
    parser.add_argument("--fetch-batch", type=int, default=500)
    parser.add_argument("--payload", type=int, default=700)
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    args = parser.parse_args()
    best_publish = best_consume = float("inf")
    digests = set()
    for _ in range(args.rounds):
        publish, consume, digest = asyncio.run(
            measure(args.nats, args.messages, args.publish_batch, args.fetch_batch, args.payload)
        )
        best_publish, best_consume = min(best_publish, publish), min(best_consume, consume)
        digests.add(digest)
    count = args.messages
    print(f"NATS {args.nats}: {count} messages of {args.payload} bytes, best of {args.rounds}")
    per_publish = best_publish / count * 1e6
    per_consume = best_consume / (count + 1) * 1e6
    print(f"  publish_many, batches of {args.publish_batch}: {per_publish:6.1f} µs CPU/msg")
    print(f"  fetch {args.fetch_batch} + ack: {per_consume:6.1f} µs CPU/msg")
    print(f"  digest of sequences and deliveries: {', '.join(sorted(digests))}")


if __name__ == "__main__":
    main()
