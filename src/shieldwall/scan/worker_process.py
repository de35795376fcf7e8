"""Inside a ``--jobs`` worker process: build the engine, then scan files until none is left.

Each worker writes to a pipe of its own, from its main thread: no feeder thread, no shared
lock, and a full pipe blocks the worker until the parent reads (bounded memory). The pipe is
enlarged where Linux allows, so a worker rarely waits on a parent that is briefly off the CPU.
Messages are ``(kind, payload)``: ``loaded`` (the rule digest from worker 0), ``ready`` (the
moment scanning began), ``batch`` (see :mod:`.batch`), ``done`` (peak memory and CPU
seconds) or ``fatal`` (the error that stopped the worker before it could scan).
"""

from __future__ import annotations

import resource
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import TYPE_CHECKING

from shieldwall.detect.attack import AttackCatalogue
from shieldwall.model.errors import ShieldwallError
from shieldwall.model.event import RecordFormat
from shieldwall.scan.batch import BatchBuilder, parent_route
from shieldwall.scan.encoders import DetectionEncoder
from shieldwall.scan.finish import DetectionFinisher
from shieldwall.scan.pipeline import FileScanner, file_size
from shieldwall.scan.stages import RuleDigest, ScanStages
from shieldwall.scan.summary import DetectionTally

if TYPE_CHECKING:
    from shieldwall.detect.sigma import RuleSelection

PIPE_BYTES = 1 << 20
"""Pipe capacity asked for (Linux ``F_SETPIPE_SZ``; 1 MiB is the unprivileged maximum)."""
_F_SETPIPE_SZ = 1031


@dataclass(frozen=True)
class WorkerPlan:
    """What a worker needs to build its engine; pickled into the process."""

    stages: ScanStages
    rule_paths: tuple[Path, ...]
    selection: RuleSelection | None
    placeholders: Path | None
    rule_cache: Path | None
    """Directory of the rule cache, or None to load without it."""
    fmt: RecordFormat | None
    catalogue: AttackCatalogue
    encoder: DetectionEncoder | None
    """With an encoder the workers encode what they can (see :mod:`.batch`)."""


@dataclass(frozen=True)
class WorkerChannels:
    """What one worker shares with the parent and the other workers."""

    files: tuple[str, ...]
    """Largest first, so a big file does not leave a core idle at the end."""
    cursor: Synchronized[int]
    """A shared integer: the index of the next file to take. Taking a file is one locked
    increment, not a message through a queue (which cost about 60 µs a file)."""
    start_line: Barrier
    """All workers start scanning together, once every one has loaded the rules: the work
    then splits evenly, and the scan rate measures N cores scanning, not a staggered start.
    The cost is the spread of rule-loading times (well under a second), once."""
    out: Connection
    """This worker's pipe to the parent (write end)."""

    def next_file(self) -> str | None:
        """The next file no worker has taken, or None when all are taken."""
        with self.cursor.get_lock():
            index = self.cursor.value
            self.cursor.value = index + 1
        return self.files[index] if index < len(self.files) else None


def worker_main(number: int, plan: WorkerPlan, channels: WorkerChannels) -> None:
    """Worker process entry: build the engine, wait for the others, scan until no file is left."""
    send = channels.out.send
    try:
        ruleset = plan.stages.load_rules(
            plan.rule_paths,
            selection=plan.selection,
            placeholders=plan.placeholders,
            cache=plan.rule_cache,
        )
        engine = plan.stages.make_engine(ruleset) if ruleset.rules else None
    except ShieldwallError as exc:
        send(("fatal", exc))
        return
    digest = RuleDigest.of(ruleset)
    send(("loaded", digest if number == 0 else None))
    if engine is None:
        send(("done", (_peak_rss_kib(), 0.0)))
        return
    batches = BatchBuilder(
        DetectionFinisher(plan.catalogue, DetectionTally()),
        plan.encoder,
        parent_route(plan.stages, digest) if plan.encoder else _everything,
    )
    scanner = FileScanner(plan.stages, engine, fmt=plan.fmt, on_problem=batches.problem)
    channels.start_line.wait()
    send(("ready", time.monotonic()))
    cpu_at_start = time.process_time()
    while (name := channels.next_file()) is not None:
        for detection in scanner.scan(Path(name)):
            batches.add(detection)
            if batches.due():
                send(("batch", batches.take()))
        batches.file_done(name, scanner.events, file_size(Path(name)))
        if batches.due():
            send(("batch", batches.take()))
    send(("batch", batches.take()))
    send(("done", (_peak_rss_kib(), time.process_time() - cpu_at_start)))
    channels.out.close()


def enlarge_pipe(connection: Connection) -> None:
    """Ask for a larger pipe buffer; keep the default where the system refuses."""
    if sys.platform != "linux":
        return
    import fcntl

    try:
        fcntl.fcntl(connection.fileno(), _F_SETPIPE_SZ, PIPE_BYTES)
    except OSError:
        return


def _everything(rule_id: str, rule_name: str | None) -> bool:
    """Without an encoder, every detection goes to the parent."""
    return True


def _peak_rss_kib() -> int:
    """This process's peak resident set (workers are the fork server's children, not ours)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
