"""``--jobs N``: split the files across N worker processes and stream their detections back.

Each worker loads the rules once and builds its engine (compiled rules hold closures and do
not pickle; loading in the workers runs in parallel, so it costs one load of wall time); the
first worker also sends a :class:`RuleDigest` back, so the parent reports and correlates
without loading the rules itself. Workers then take files from a shared list, largest
first, so a big file does not leave a core idle at the end. Detections, problems and file
ends come back in batches (see :mod:`.batch`) through a pipe per worker (see
:mod:`.worker_process`): a slow consumer slows the workers rather than filling memory.

Order: within a file, detections keep record order; across files they arrive as the workers
finish them, so the output order of a ``--jobs N`` scan is not the file order and can differ
from run to run. Correlation runs in the parent over this merged stream.

Processes are started with ``forkserver`` (``spawn`` where that is missing), never ``fork``,
which would copy the parent's threads and locks into the child. As with any
``multiprocessing`` program, a script calling this needs an ``if __name__ == "__main__"``
guard.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from shieldwall.model.errors import InputError, ShieldwallError
from shieldwall.scan.batch import BatchItem
from shieldwall.scan.frames import from_frame
from shieldwall.scan.pipeline import StreamItem, WorkersDone, file_size
from shieldwall.scan.stages import ProblemSink, RuleDigest
from shieldwall.scan.worker_process import (
    WorkerChannels,
    WorkerPlan,
    enlarge_pipe,
    worker_main,
)

__all__ = ["WorkerPlan", "WorkerPool"]

POLL_SECONDS = 0.5
PRELOAD = [
    "shieldwall.scan.worker_process",
    "shieldwall.detect.engine",
    "shieldwall.ingest",
    "shieldwall.normalise",
]
"""Imported once by the fork server, so each worker does not pay pySigma's import again."""

Message = tuple[int, str, Any]
"""(worker number, kind, payload)."""


def _context() -> BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def _unpack(items: list[BatchItem], on_problem: ProblemSink) -> Iterator[StreamItem]:
    """Encoded chunks and file ends pass as they are; detections sent whole are rebuilt."""
    for item in items:
        if isinstance(item, tuple):
            yield from_frame(item)
        elif isinstance(item, InputError):
            on_problem(item)
        else:
            yield item


class WorkerPool:
    """N worker processes over one list of files."""

    def __init__(self, plan: WorkerPlan, files: Sequence[Path], jobs: int) -> None:
        context = _context()
        sizes = {str(path): file_size(path) for path in files}
        largest_first = tuple(sorted(sizes, key=lambda name: (-sizes[name], name)))
        cursor, start_line = context.Value("q", 0), context.Barrier(jobs)
        self._readers: dict[Connection, int] = {}
        self._channels: list[WorkerChannels] = []
        """Held for the pool's life: a process drops its args once started, and the barrier's
        semaphore must outlive the children's unpickling of it."""
        for number in range(jobs):
            reader, writer = context.Pipe(duplex=False)
            enlarge_pipe(writer)
            self._readers[reader] = number
            self._channels.append(WorkerChannels(largest_first, cursor, start_line, writer))
        self._processes: list[BaseProcess] = [
            context.Process(  # type: ignore[attr-defined]
                target=worker_main, args=(number, plan, channels), daemon=True
            )
            for number, channels in enumerate(self._channels)
        ]
        self._inbox: deque[Message] = deque()
        self._finished: set[int] = set()
        self.started_at: float | None = None
        """When the workers started scanning (monotonic clock, shared by processes)."""

    def start(self) -> RuleDigest:
        """Start the workers; return the rule digest once the first worker has loaded them."""
        try:
            for process, channels in zip(self._processes, self._channels, strict=True):
                process.start()
                channels.out.close()
            parked: list[Message] = []
            while True:
                message = self._next_message()
                if message[1] == "loaded" and message[2] is not None:
                    self._inbox.extendleft(reversed(parked))
                    digest: RuleDigest = message[2]
                    return digest
                parked.append(message)
        except BaseException:
            self.close()
            raise

    def run(self, on_problem: ProblemSink) -> Iterator[StreamItem]:
        """Yield what the workers send until all are done; stop them if abandoned."""
        try:
            yield from self._receive(on_problem)
        finally:
            self.close()

    def _receive(self, on_problem: ProblemSink) -> Iterator[StreamItem]:
        peak_rss, cpu_seconds = 0, list[float]()
        while len(cpu_seconds) < len(self._processes):
            _, kind, payload = self._next_message()
            if kind == "batch":
                yield from _unpack(payload, on_problem)
            elif kind == "ready":
                self._mark_ready(payload)
            elif kind == "done":
                peak_rss = max(peak_rss, payload[0])
                cpu_seconds.append(payload[1])
        yield WorkersDone(self.started_at, peak_rss, tuple(cpu_seconds))

    def _mark_ready(self, moment: float) -> None:
        self.started_at = moment if self.started_at is None else min(self.started_at, moment)

    def _next_message(self) -> Message:
        """The next message from any worker, in arrival order per worker."""
        while not self._inbox:
            if not self._readers:
                raise ShieldwallError("every scan worker has gone before finishing")
            for reader in wait(list(self._readers), timeout=POLL_SECONDS):
                self._read_one(reader)  # type: ignore[arg-type]
        message = self._inbox.popleft()
        if message[1] == "fatal":
            raise message[2]
        return message

    def _read_one(self, reader: Connection) -> None:
        number = self._readers[reader]
        try:
            kind, payload = reader.recv()
        except EOFError:
            del self._readers[reader]
            reader.close()
            if number not in self._finished:
                self._lost(number)
            return
        if kind == "done":
            self._finished.add(number)
        self._inbox.append((number, kind, payload))

    def _lost(self, number: int) -> None:
        """A worker's pipe closed before it said it was done: it died."""
        process = self._processes[number]
        process.join(timeout=POLL_SECONDS)
        raise ShieldwallError(f"scan worker {number} died (exit code {process.exitcode})")

    def close(self) -> None:
        """Stop any worker still running (an abandoned or failed scan) and reap them all."""
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            if process.pid is not None:
                process.join(timeout=5)
        for reader in self._readers:
            reader.close()
        self._readers.clear()
