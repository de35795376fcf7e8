"""The per-file pipeline: read records, normalise them, match them, one event at a time.

Shared by the in-process scan (``--jobs 1``) and the worker processes (``--jobs N``), so both
count, report and match alike. Nothing here holds more than one event: memory stays flat in
the number of events.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shieldwall.model.detection import Detection
from shieldwall.model.errors import InputError
from shieldwall.model.event import RecordFormat
from shieldwall.scan.stages import ProblemSink, ScanStages
from shieldwall.scan.summary import DetectionTally

if TYPE_CHECKING:
    from shieldwall.detect.engine import Engine


@dataclass(frozen=True, slots=True)
class FileDone:
    """Marks the end of one file in a detection stream, with its event count."""

    path: str
    events: int
    size: int
    tally: DetectionTally | None = None
    """Detections a ``--jobs`` worker finished and encoded itself, counted there."""


@dataclass(frozen=True, slots=True)
class WorkersDone:
    """Ends a ``--jobs N`` stream: when scanning began, the workers' peak memory and CPU."""

    started_at: float | None
    peak_rss_kib: int
    cpu_seconds: tuple[float, ...]


StreamItem = Detection | bytes | FileDone | WorkersDone
"""A detection, output a worker encoded (see :mod:`.batch`), or a marker."""


class FileScanner:
    """Runs one engine over files, reporting bad records and going on.

    A rule the engine disables while matching (past its budget) is a :class:`RuleError`
    sent to the same ``on_problem``, in its place among the records' problems.
    """

    def __init__(
        self,
        stages: ScanStages,
        engine: Engine,
        *,
        fmt: RecordFormat | None,
        on_problem: ProblemSink,
    ) -> None:
        self._stages = stages
        self._engine = engine
        self._fmt = fmt
        self._on_problem = on_problem
        engine.report_to(on_problem)
        self.events = 0
        """Events of the file last scanned to its end."""

    def scan(self, path: Path) -> Iterator[Detection]:
        """The detections in one file, in record order; ``events`` is set when it ends."""
        self.events = 0
        normalise = self._stages.normalise
        match = self._engine.match
        on_problem = self._on_problem
        count = 0
        records = self._stages.iter_records(path, fmt=self._fmt, on_problem=on_problem)
        for record in records:
            try:
                detections = match(normalise(record))
            except InputError as problem:
                on_problem(problem)
                continue
            count += 1
            if detections:
                yield from detections
        self.events = count


def file_size(path: Path) -> int:
    """Size for progress; 0 for a file that vanished (the reader reports it)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def scan_serially(scanner: FileScanner, files: Sequence[Path]) -> Iterator[Detection | FileDone]:
    """Every file in order, in this process: detections, then a :class:`FileDone` per file."""
    for path in files:
        yield from scanner.scan(path)
        yield FileDone(str(path), scanner.events, file_size(path))
