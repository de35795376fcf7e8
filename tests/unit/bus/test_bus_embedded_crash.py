"""A process killed right after publish returns loses nothing on the embedded bus.

The child publishes and reports each sequence number only after publish returned, then is
killed with SIGKILL (no clean close, no atexit). Every reported message must be there.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from shieldwall.bus.embedded import EmbeddedBus

CHILD = """
import asyncio, os, signal, sys
from pathlib import Path
from shieldwall.bus.embedded import EmbeddedBus

async def main() -> None:
    bus = await EmbeddedBus.open(Path(sys.argv[1]))
    consumer = await bus.consumer("events.crash", "reader", ack_wait=3600)
    for n in range(int(sys.argv[2])):
        sequence = await bus.publish("events.crash", b"p%d" % n, key="k%d" % n)
        print(sequence, flush=True)
    delivered = await consumer.fetch(5, timeout=1)
    await consumer.ack(*delivered[:2])
    print("acked", *[d.sequence for d in delivered[:2]], flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main())
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_messages_published_and_acks_given_before_a_kill_survive(tmp_path: Path) -> None:
    path = tmp_path / "shieldwall.db"
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), "20"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    *published, acked_line = child.stdout.split("\n")[:-1]

    async def after_restart() -> tuple[int, list[tuple[int, bytes]]]:
        bus = await EmbeddedBus.open(path)
        consumer = await bus.consumer("events.crash", "reader", ack_wait=3600)
        got = await consumer.fetch(100, timeout=0)
        last = await bus.last_sequence("events.crash")
        await bus.close()
        return last, [(d.sequence, d.payload) for d in got]

    last, redelivered = asyncio.run(after_restart())

    assert child.returncode == -signal.SIGKILL, child.stderr
    assert [int(line) for line in published] == list(range(1, 21))
    assert acked_line == "acked 1 2"
    assert last == 20
    assert redelivered == [(n, b"p%d" % (n - 1)) for n in range(3, 21)]
    assert os.path.exists(path)
