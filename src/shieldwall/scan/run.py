"""``shieldwall scan`` as a library call: logs and Sigma rules in, detections out.

:func:`scan` checks the inputs and loads the rules at once (so a usage error surfaces before
any output is written), then returns a :class:`ScanRun`: iterate it to stream detections;
its :attr:`ScanRun.summary` is complete when the iteration ends.

Every base detection is finished (``attack`` filled from the ATT&CK catalogue, cached per
rule) and counted, and those of rules a correlation takes are fed to the correlation engine,
which runs in this process and so sees the detections of every file and every worker. With
``jobs > 1`` and an encoder, the workers finish and encode the other detections themselves
and send their output bytes (see :mod:`shieldwall.scan.batch`); detections of
different files arrive in the order workers finish them. Correlation replays what it took in
time order at the end, so its results depend on neither file order nor ``jobs``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from shieldwall.detect.attack import AttackCatalogue, load_catalogue
from shieldwall.model.detection import Detection
from shieldwall.model.errors import InputError, RuleError, ShieldwallError
from shieldwall.model.event import RecordFormat
from shieldwall.scan.encoders import DetectionEncoder
from shieldwall.scan.finish import DetectionFinisher
from shieldwall.scan.pipeline import (
    FileDone,
    FileScanner,
    StreamItem,
    WorkersDone,
    file_size,
    scan_serially,
)
from shieldwall.scan.stages import RuleDigest, ScanStages, default_stages
from shieldwall.scan.summary import ScanProgress, ScanSummary
from shieldwall.scan.workers import WorkerPlan, WorkerPool

if TYPE_CHECKING:
    from shieldwall.detect.correlate import CorrelationEngine
    from shieldwall.detect.sigma import RuleSelection

ProgressSink = Callable[[ScanProgress], None]
ProblemSink = Callable[[InputError], None]
Stream = Callable[[ProblemSink], Iterator[StreamItem]]


def scan(
    paths: Sequence[Path],
    rules: Sequence[Path],
    *,
    fmt: RecordFormat | None = None,
    selection: RuleSelection | None = None,
    placeholders: Path | None = None,
    rule_cache: Path | None = None,
    jobs: int = 1,
    on_progress: ProgressSink | None = None,
    on_problem: ProblemSink | None = None,
    catalogue: AttackCatalogue | None = None,
    stages: ScanStages | None = None,
    encoder: DetectionEncoder | None = None,
) -> ScanRun:
    """Prepare a scan; raise :class:`InputError` for a missing path or when no rule loads.

    With ``jobs > 1`` the workers start here (they load the rules) and run until the
    returned :class:`ScanRun` has been iterated to its end or abandoned.

    ``selection`` picks rules by level, status, tag and id. ``rule_cache`` is the directory
    of the compiled rule cache (see :mod:`shieldwall.detect.sigma.cache`), None for none.
    With an ``encoder`` the run gives output bytes (:meth:`ScanRun.encoded`), encoded in
    the workers where it can; without one, it gives :class:`Detection` objects.
    Problems with the logs (a corrupt record, an unreadable file) do not raise: they go to
    ``on_problem`` and into the summary, and the scan goes on. So does a rule disabled
    while matching (a :class:`RuleError`, in ``summary.rules_disabled``).
    """
    _require_existing(paths, "log path")
    _require_existing(rules, "rule path")
    if jobs < 1:
        raise InputError(f"jobs must be at least 1, not {jobs}", source="--jobs")
    chosen = stages or default_stages()
    techniques = catalogue or load_catalogue()
    plan = WorkerPlan(
        chosen, tuple(rules), selection, placeholders, rule_cache, fmt, techniques, encoder
    )
    files = chosen.discover(list(paths))
    started = time.monotonic()
    if jobs == 1 or len(files) < 2:
        digest, stream = _prepare_serial(plan, files)
    else:
        digest, stream = _prepare_parallel(plan, files, jobs)
    summary = ScanSummary(
        rules_loaded=digest.rules_loaded,
        rule_files_read=digest.files_read,
        rule_problems=list(digest.problems),
        jobs=jobs,
        load_seconds=time.monotonic() - started,
    )
    correlator = _correlator(chosen, digest, summary)
    finisher = DetectionFinisher(techniques, summary)
    return ScanRun(
        files,
        summary,
        stream,
        correlator,
        finisher,
        encoder=encoder,
        on_progress=on_progress,
        on_problem=on_problem,
    )


def default_jobs() -> int:
    """The cores this process may use (its CPU affinity, which containers and ``taskset``
    narrow; the machine's count where the platform has no affinity): the ``--jobs``
    default, so a newcomer gets the parallel path without knowing the option."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _correlator(
    stages: ScanStages, rules: RuleDigest, summary: ScanSummary
) -> CorrelationEngine | None:
    """The correlation engine, if any correlation loaded; its refusals count as failed rules."""
    if not rules.correlations:
        return None
    known_problems = len(summary.rule_problems)
    correlator = stages.make_correlator(rules, summary.rule_problems.append)
    summary.rules_loaded -= len(summary.rule_problems) - known_problems
    return correlator


def _require_existing(paths: Sequence[Path], what: str) -> None:
    if not paths:
        raise InputError(f"no {what} given")
    for path in paths:
        if not path.exists():
            raise InputError(f"{what} does not exist", source=str(path))


def _no_rules(plan: WorkerPlan, digest: RuleDigest) -> InputError:
    reason = f"no rule could be loaded ({len(digest.problems)} failed)"
    if plan.selection is not None:
        reason += "; or none met the selection (level, status, tag, rule id)"
    return InputError(reason, source=", ".join(str(path) for path in plan.rule_paths))


def _prepare_serial(plan: WorkerPlan, files: list[Path]) -> tuple[RuleDigest, Stream]:
    ruleset = plan.stages.load_rules(
        list(plan.rule_paths),
        selection=plan.selection,
        placeholders=plan.placeholders,
        cache=plan.rule_cache,
    )
    digest = RuleDigest.of(ruleset)
    if not digest.rule_refs:
        raise _no_rules(plan, digest)
    engine = plan.stages.make_engine(ruleset)

    def stream(on_problem: ProblemSink) -> Iterator[StreamItem]:
        scanner = FileScanner(plan.stages, engine, fmt=plan.fmt, on_problem=on_problem)
        return scan_serially(scanner, files)

    return digest, stream


def _prepare_parallel(plan: WorkerPlan, files: list[Path], jobs: int) -> tuple[RuleDigest, Stream]:
    pool = WorkerPool(plan, files, min(jobs, len(files)))
    digest = pool.start()
    if not digest.rule_refs:
        pool.close()
        raise _no_rules(plan, digest)
    return digest, pool.run


class ScanRun:
    """One prepared scan: iterate for detections (or :meth:`encoded` for output bytes); read
    :attr:`summary` afterwards."""

    def __init__(
        self,
        files: list[Path],
        summary: ScanSummary,
        stream: Stream,
        correlator: CorrelationEngine | None,
        finisher: DetectionFinisher,
        *,
        encoder: DetectionEncoder | None = None,
        on_progress: ProgressSink | None = None,
        on_problem: ProblemSink | None = None,
    ) -> None:
        self.files = files
        self.summary = summary
        self.on_progress = on_progress
        self.on_problem = on_problem
        self.encoder = encoder
        """Set when the workers were told to encode: then only :meth:`encoded` may run."""
        self._correlator = correlator
        self._stream = stream
        self._finisher = finisher
        self._bytes_total = sum(file_size(path) for path in files)
        self._iterated = False
        self._bytes_done = 0

    def __iter__(self) -> Iterator[Detection]:
        if self.encoder is not None:
            raise ShieldwallError("this scan encodes its output: iterate encoded()")
        for item in self._run():
            if isinstance(item, Detection):
                yield item

    def encoded(self) -> Iterator[bytes]:
        """The whole output: the encoder's header, then every detection's bytes."""
        encoder = self.encoder
        if encoder is None:
            raise ShieldwallError("this scan has no encoder: iterate it for detections")
        yield encoder.header()
        for item in self._run():
            yield item if isinstance(item, bytes) else encoder.encode(item)

    def _run(self) -> Iterator[Detection | bytes]:
        """Finished detections, and chunks a worker already finished and encoded."""
        if self._iterated:
            raise ShieldwallError("a scan can be iterated only once; call scan() again")
        self._iterated = True
        correlator = self._correlator
        started = time.monotonic()
        for item in self._stream(self._problem):
            if isinstance(item, Detection):
                yield from self._emit(item, correlator)
            elif isinstance(item, bytes):
                yield item
            elif isinstance(item, FileDone):
                self._file_done(item)
            else:
                started = self._workers_done(item, started)
        if correlator is not None:
            for detection in correlator.flush():
                yield self._finisher.finish(detection)
        self.summary.scan_seconds = time.monotonic() - started

    def _workers_done(self, done: WorkersDone, started: float) -> float:
        """Record the workers' memory; scanning began when the workers passed the start line.

        The parent starts reading once the first worker has loaded the rules; until the
        others have too, it waits, and that wait is rule loading, not scanning.
        """
        self.summary.worker_peak_rss_kib = done.peak_rss_kib
        self.summary.worker_cpu_seconds = done.cpu_seconds
        if done.started_at is None:
            return started
        self.summary.load_seconds += max(0.0, done.started_at - started)
        return done.started_at

    def _emit(
        self, detection: Detection, correlator: CorrelationEngine | None
    ) -> Iterator[Detection]:
        finish = self._finisher.finish
        if correlator is None:
            yield finish(detection)
            return
        if correlator.emits_base(detection.rule_id, detection.rule_name):
            yield finish(detection)
        for correlated in correlator.feed(detection):
            yield finish(correlated)

    def _file_done(self, done: FileDone) -> None:
        if done.tally is not None:
            self.summary.absorb(done.tally)
        self.summary.files += 1
        self.summary.events += done.events
        self._bytes_done += done.size
        if self.on_progress is not None:
            self.on_progress(
                ScanProgress(
                    files_done=self.summary.files,
                    files_total=len(self.files),
                    bytes_done=self._bytes_done,
                    bytes_total=self._bytes_total,
                    events=self.summary.events,
                    detections=self.summary.detections,
                )
            )

    def _problem(self, problem: InputError) -> None:
        if isinstance(problem, RuleError):
            self.summary.disable_rule(problem)
        else:
            self.summary.count_problem(problem)
        if self.on_problem is not None:
            self.on_problem(problem)
