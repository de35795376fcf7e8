"""``--jobs N``: split the files across N worker processes and stream their detections back.

Each worker loads the rules once and builds its engine (compiled rules hold closures and do
not pickle; loading in the workers runs in parallel, so it costs one load of wall time); the
first worker also sends a :class:`RuleDigest` back, so the parent reports and correlates
without loading the rules itself. Workers then take files from a shared queue, largest
first, so a big file does not leave a core idle at the end. Detections come back in batches
through a bounded queue: a slow consumer slows the workers rather than filling memory.

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
import queue
import resource
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from shieldwall.detect.attack import AttackCatalogue
from shieldwall.model.errors import ShieldwallError
from shieldwall.model.event import RecordFormat
from shieldwall.runtime.scan_batch import BatchBuilder, BatchItem, parent_route
from shieldwall.runtime.scan_finish import DetectionFinisher
from shieldwall.runtime.scan_output import DetectionEncoder
from shieldwall.runtime.scan_pipeline import (
    FileDone,
    FileScanner,
    StreamItem,
    WorkersDone,
    file_size,
)
from shieldwall.runtime.scan_stages import ProblemSink, RuleDigest, ScanStages
from shieldwall.runtime.scan_summary import DetectionTally
from shieldwall.runtime.scan_wire import decode

BATCH_SIZE = 256
POLL_SECONDS = 0.5
PRELOAD = [
    "shieldwall.runtime.scan_workers",
    "shieldwall.detect.engine",
    "shieldwall.ingest",
    "shieldwall.normalise",
]
"""Imported once by the fork server, so each worker does not pay pySigma's import again."""

Message = tuple[str, Any]


@dataclass(frozen=True)
class WorkerPlan:
    """What a worker needs to build its engine; pickled into the process."""

    stages: ScanStages
    rule_paths: tuple[Path, ...]
    selection: Any
    placeholders: Path | None
    fmt: RecordFormat | None
    catalogue: AttackCatalogue
    encoder: DetectionEncoder | None
    """With an encoder the workers encode what they can (see :mod:`.scan_batch`)."""


def _context() -> BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def _worker_main(number: int, plan: WorkerPlan, channels: _Channels) -> None:
    """Worker process entry: build the engine, wait for the others, scan until the sentinel."""
    results = channels.results
    try:
        ruleset = plan.stages.load_rules(
            plan.rule_paths, selection=plan.selection, placeholders=plan.placeholders
        )
        engine = plan.stages.make_engine(ruleset) if ruleset.rules else None
    except ShieldwallError as exc:
        results.put(("fatal", exc))
        return
    results.put(("loaded", RuleDigest.of(ruleset) if number == 0 else None))
    if engine is None:
        results.put(("done", (_peak_rss_kib(), 0.0)))
        return
    channels.start_line.wait()
    results.put(("ready", time.monotonic()))
    cpu_at_start = time.process_time()
    scanner = FileScanner(
        plan.stages, engine, fmt=plan.fmt, on_problem=lambda p: results.put(("problem", p))
    )
    batches = BatchBuilder(
        DetectionFinisher(plan.catalogue, DetectionTally()),
        plan.encoder,
        parent_route(plan.stages, RuleDigest.of(ruleset)) if plan.encoder else _everything,
    )
    while (name := channels.tasks.get()) is not None:
        for detection in scanner.scan(Path(name)):
            batches.add(detection)
            if batches.size >= BATCH_SIZE:
                results.put(("detections", batches.take()))
        results.put(("file", (name, scanner.events, batches.take(), batches.take_tally())))
    results.put(("done", (_peak_rss_kib(), time.process_time() - cpu_at_start)))


def _everything(rule_id: str, rule_name: str | None) -> bool:
    """Without an encoder, every detection goes to the parent."""
    return True


def _peak_rss_kib() -> int:
    """This process's peak resident set (workers are the fork server's children, not ours)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@dataclass(frozen=True)
class _Channels:
    """The queues and the start barrier the parent shares with its workers."""

    tasks: Any
    results: Any
    start_line: Any
    """All workers start scanning together, once every one has loaded the rules: the work
    then splits evenly, and the scan rate measures N cores scanning, not a staggered start.
    The cost is the spread of rule-loading times (well under a second), once."""


def _unpack(items: list[BatchItem]) -> Iterator[StreamItem]:
    """Encoded chunks pass as they are; detections sent whole are rebuilt."""
    for item in items:
        yield item if isinstance(item, bytes) else decode(item)


class WorkerPool:
    """N worker processes over one list of files."""

    def __init__(self, plan: WorkerPlan, files: Sequence[Path], jobs: int) -> None:
        context = _context()
        self._tasks: Any = context.Queue()
        self._results: Any = context.Queue(maxsize=4 * jobs)
        channels = _Channels(self._tasks, self._results, context.Barrier(jobs))
        self._channels = channels
        """Held for the pool's life: a process drops its args once started, and the barrier's
        semaphore must outlive the children's unpickling of it."""
        self._sizes = {str(path): file_size(path) for path in files}
        for name in sorted(self._sizes, key=lambda n: (-self._sizes[n], n)):
            self._tasks.put(name)
        for _ in range(jobs):
            self._tasks.put(None)
        self._processes: list[BaseProcess] = [
            context.Process(  # type: ignore[attr-defined]
                target=_worker_main, args=(number, plan, channels), daemon=True
            )
            for number in range(jobs)
        ]
        self._early: deque[Message] = deque()
        self.started_at: float | None = None
        """When the workers started scanning (monotonic clock, shared by processes)."""

    def start(self) -> RuleDigest:
        """Start the workers; return the rule digest once the first worker has loaded them."""
        for process in self._processes:
            process.start()
        try:
            while True:
                kind, payload = self._next_message()
                if kind == "loaded" and payload is not None:
                    digest: RuleDigest = payload
                    return digest
                self._early.append((kind, payload))
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
        running = len(self._processes)
        peak_rss, cpu_seconds = 0, []
        while running:
            kind, payload = self._early.popleft() if self._early else self._next_message()
            if kind == "detections":
                yield from _unpack(payload)
            elif kind == "file":
                name, events, batch, tally = payload
                yield from _unpack(batch)
                yield FileDone(name, events, self._sizes.get(name, 0), tally)
            elif kind == "problem":
                on_problem(payload)
            elif kind == "ready":
                self._mark_ready(payload)
            elif kind == "done":
                running -= 1
                peak_rss = max(peak_rss, payload[0])
                cpu_seconds.append(payload[1])
        yield WorkersDone(self.started_at, peak_rss, tuple(cpu_seconds))

    def _mark_ready(self, moment: float) -> None:
        self.started_at = moment if self.started_at is None else min(self.started_at, moment)

    def _next_message(self) -> Message:
        while True:
            try:
                message: Message = self._results.get(timeout=POLL_SECONDS)
            except queue.Empty:
                self._check_alive()
                continue
            if message[0] == "fatal":
                raise message[1]
            return message

    def _check_alive(self) -> None:
        for number, process in enumerate(self._processes):
            if process.exitcode not in (None, 0):
                raise ShieldwallError(f"scan worker {number} died (exit code {process.exitcode})")

    def close(self) -> None:
        """Stop any worker still running (an abandoned or failed scan) and reap them all."""
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            if process.pid is not None:
                process.join(timeout=5)
        for channel in (self._tasks, self._results):
            channel.cancel_join_thread()
            channel.close()
