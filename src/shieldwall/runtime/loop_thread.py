"""A background worker in a thread of its own, with an event loop of its own.

The live pipeline's stages and the syslog listener run beside the API this way: each
thread owns its loop (a NATS connection belongs to one loop), and :meth:`stop` asks the
loop, from any thread, to finish what is in hand.
"""

from __future__ import annotations

import asyncio
import threading


class LoopThread:
    """Runs :meth:`_serve` on a fresh event loop in a daemon thread until stopped."""

    name = "worker"

    def __init__(self) -> None:
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(
            target=self._main, name=f"shieldwall-{self.name}", daemon=True
        )

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> bool:
        """Ask the loop to finish what is in hand; False if the thread did not end in time."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _main(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await self._serve(self._stop)

    async def _serve(self, stop: asyncio.Event) -> None:
        raise NotImplementedError
