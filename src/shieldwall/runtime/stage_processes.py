"""The live pipeline's stages as child processes of `shieldwall up --stage-processes`.

One Python process runs Python on one core at a time: with the API, the detect stage and
the fuse stage as threads of `shieldwall up`, the three share that core. Run as
`shieldwall worker detect` and `shieldwall worker fuse` beside `shieldwall serve`, each has
an interpreter of its own and the whole machine does the work (on the embedded store
too: the store and the bus are files every process opens). This starts those two
workers as children of the serving process, with its settings, so one command still runs
everything: a child that dies is started again (after a pause that doubles from 1 s up
to 30 s while it keeps dying, so a broken setting does not spin), and when the API stops
the children are asked to stop (SIGTERM: each finishes its batch) and killed if they
have not after ``grace`` seconds. On Linux a child is also told to stop if its parent
dies without a word (``PR_SET_PDEATHSIG``), so no worker outlives a killed ``up``.
What a child had not acknowledged is delivered again, as after any crash. A stage may run
as several replicas (``--detect-workers 2``): they share its durable consumer on either
bus, as ``shieldwall worker`` processes started by hand do.
"""

from __future__ import annotations

import ctypes
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

STAGES = ("detect", "fuse")
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
STEADY = 60.0
"""Seconds a child must have run for its next death to restart it without a pause."""

Spawn = Callable[[Sequence[str]], subprocess.Popen[bytes]]


def worker_command(stage: str, config: Path | None) -> list[str]:
    """The command line of one stage's worker, with this process's configuration file."""
    command = [sys.executable, "-m", "shieldwall.cli", "worker", stage]
    return [*command, "--config", str(config)] if config is not None else command


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn(command: Sequence[str]) -> subprocess.Popen[bytes]:
    """Start a child that shares this process's output and is stopped if this one dies."""
    before_exec = _die_with_parent if sys.platform == "linux" else None
    return subprocess.Popen(list(command), preexec_fn=before_exec)  # noqa: S603 (our own argv)


@dataclass
class _Child:
    name: str
    """The stage, numbered when it has replicas (``detect-2``)."""
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    pause: float = FIRST_PAUSE
    due: float = 0.0
    restarts: int = 0


@dataclass
class StageProcesses:
    """Keeps one worker process per stage running until :meth:`stop`."""

    config: Path | None = None
    stages: Sequence[str] = STAGES
    grace: float = 30.0
    spawn: Spawn = spawn
    clock: Callable[[], float] = time.monotonic
    _children: list[_Child] = field(default_factory=list)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _watcher: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        """Start every stage's worker, and a thread that restarts any that dies."""
        self._children = [
            _Child(name, worker_command(stage, self.config)) for name, stage in self._named()
        ]
        for child in self._children:
            self._launch(child)
        self._watcher = threading.Thread(target=self._watch, name="shieldwall-stages", daemon=True)
        self._watcher.start()

    def pids(self) -> dict[str, int]:
        """The running children's process ids, by name (the stage, numbered if repeated)."""
        with self._lock:
            return {c.name: c.process.pid for c in self._children if c.process is not None}

    def restarts(self) -> dict[str, int]:
        """How many times each worker was started again, by name."""
        return {child.name: child.restarts for child in self._children}

    def check(self) -> None:
        """Start again every child that has died and whose pause is over (the watcher
        thread calls this twice a second)."""
        now = self.clock()
        with self._lock:
            if self._stopping.is_set():
                return
            for child in self._children:
                process = child.process
                if process is not None and process.poll() is not None:
                    log.warning(
                        "%s worker (pid %d) exited with %s; starting it again in %.0f s",
                        child.name, process.pid, process.returncode, child.pause,
                    )  # fmt: skip
                    steady = now - child.started >= STEADY
                    child.pause = FIRST_PAUSE if steady else child.pause
                    child.process, child.due = None, now + child.pause
                    child.pause = min(child.pause * 2, LONGEST_PAUSE)
                if child.process is None and now >= child.due:
                    child.restarts += 1
                    self._launch(child)

    def stop(self) -> bool:
        """Ask every child to stop, wait up to ``grace`` seconds, kill what is left; False
        when one had to be killed."""
        with self._lock:
            self._stopping.set()
            running = [c.process for c in self._children if c.process is not None]
        for process in running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        clean = True
        deadline = self.clock() + self.grace
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                clean = False
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        return clean

    def _named(self) -> list[tuple[str, str]]:
        """Each worker's name and stage: a stage listed twice runs two replicas, which
        share its durable consumer (``detect-1``, ``detect-2``)."""
        counts = {stage: self.stages.count(stage) for stage in self.stages}
        seen: dict[str, int] = {}
        named = []
        for stage in self.stages:
            seen[stage] = seen.get(stage, 0) + 1
            named.append((f"{stage}-{seen[stage]}" if counts[stage] > 1 else stage, stage))
        return named

    def _launch(self, child: _Child) -> None:
        child.process = self.spawn(child.command)
        child.started = self.clock()

    def _watch(self) -> None:
        while not self._stopping.wait(0.5):
            try:
                self.check()
            except OSError as exc:  # the system refused a process: try again next turn
                log.error("could not start a stage worker: %s", exc)
