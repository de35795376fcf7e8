"""Benchmark ``shieldwall scan``: events/s with --jobs 1 and 2 against the parse-only floor.

Usage: .venv/bin/python bench/scan.py [--corpus ../shared/corpus] [--repeat 3] [--copies 4]

Over every EVTX file of the corpus with every rule in ``sigma/rules/windows`` it prints:
- the parse floor: discover + iter_records + normalise only (no rule), events/s;
- for each --jobs value, writing the JSONL ``shieldwall scan`` writes (``--output objects``:
  only iterating the detections): rules loaded/failed, rule-loading time, events/s while scanning
  (rule loading excluded; with --jobs N from the moment the first worker was ready), the
  ratio to the floor, detections, and peak RSS: of the scanning process with --jobs 1, of
  the parent and the largest worker with --jobs N (each run is a fresh process, as a
  ``shieldwall scan`` is, so the figure is that run's own).

The best of --repeat runs is kept for each figure (the machine is shared: the best run is
the one least disturbed by others). The load average printed first shows how busy it was;
the CPU seconds each process spent scanning give the rate the scan would reach with a free
core per worker. Targets (issue 13), over ``--copies 4``: >= 30k events/s with --jobs 1 and
55k with --jobs 2; at most 200 MB per process, flat in the number of events.
``--cache DIR`` uses the compiled rule cache as ``shieldwall scan`` does by default.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path

from shieldwall.ingest import discover_files, iter_records
from shieldwall.model.errors import InputError
from shieldwall.normalise import normalise
from shieldwall.scan.encoders import JsonlEncoder
from shieldwall.scan.run import scan
from shieldwall.scan.summary import ScanSummary

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def parse_floor(evtx_dir: Path) -> tuple[int, float]:
    """Events and seconds to read and normalise every record, matching nothing."""
    problems: list[InputError] = []
    started = time.perf_counter()
    events = 0
    for path in discover_files([evtx_dir]):
        for record in iter_records(path, on_problem=problems.append):
            try:
                normalise(record)
            except InputError as problem:
                problems.append(problem)
                continue
            events += 1
    return events, time.perf_counter() - started


def run_scan(
    evtx_dir: Path, rules_dir: Path, jobs: int, output: str, cache: Path | None
) -> tuple[ScanSummary, float]:
    """One full scan; the summary and the wall time including rule loading.

    ``output`` ``jsonl`` writes what ``shieldwall scan`` writes, to a temporary file;
    ``objects`` only iterates the detections (the library path, nothing encoded).
    ``cache`` is the rule cache directory, as ``shieldwall scan`` keeps one (None: none).
    """
    started = time.perf_counter()
    encoder = JsonlEncoder() if output == "jsonl" else None
    run = scan([evtx_dir], [rules_dir], jobs=jobs, encoder=encoder, rule_cache=cache)
    cpu_before = time.process_time()
    if encoder is None:
        for _ in run:
            pass
    else:
        with tempfile.TemporaryFile() as sink:
            for chunk in run.encoded():
                sink.write(chunk)
    if not run.summary.worker_cpu_seconds:
        run.summary.worker_cpu_seconds = (time.process_time() - cpu_before,)
    return run.summary, time.perf_counter() - started


def cpu_bound_rate(summary: ScanSummary) -> float:
    """Events/s if every worker had a core to itself: events / the busiest worker's CPU time."""
    busiest = max(summary.worker_cpu_seconds, default=0.0)
    return summary.events / busiest if busiest > 0 else 0.0


Measured = tuple[ScanSummary, float, float]
"""A scan's summary, its wall time, and the peak RSS (MiB) of the process that ran it."""


def _measure_here(connection: Connection, measure: Callable[[], tuple[ScanSummary, float]]) -> None:
    summary, wall = measure()
    connection.send((summary, wall, peak_rss_mib()))
    connection.close()


def in_own_process(measure: Callable[[], tuple[ScanSummary, float]]) -> Measured:
    """Run one scan in a fresh process, as ``shieldwall scan`` runs: its peak RSS is then that
    scan's alone, not that of every run and floor measured before it in this process."""
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_measure_here, args=(sending, measure))
    process.start()
    sending.close()
    try:
        result: Measured = receiving.recv()
    finally:
        process.join()
    return result


def best_of(repeat: int, measure: Callable[[], tuple[ScanSummary, float]]) -> Measured:
    """The run with the highest scanning rate, each run in its own process."""
    runs = [in_own_process(measure) for _ in range(repeat)]
    return max(runs, key=lambda run: run[0].events_per_second)


@contextmanager
def copies_of(logs: Path, copies: int) -> Iterator[Path]:
    """A temporary folder holding ``copies`` copies of every file under ``logs`` (symbolic
    links, so nothing is copied and the corpus stays outside the project); ``logs`` itself
    for one copy."""
    if copies <= 1:
        yield logs
        return
    files = [path for path in sorted(logs.rglob("*")) if path.is_file()]
    with tempfile.TemporaryDirectory(prefix="shieldwall-bench-") as folder:
        for copy in range(copies):
            for path in files:
                link = Path(folder) / f"copy{copy}" / path.relative_to(logs)
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(path.resolve())
        yield Path(folder)


def rss_text(scanner_rss: float, summary: ScanSummary) -> str:
    """The peak RSS of each process of one scan."""
    if not summary.worker_peak_rss_kib:
        return f"scanning process {scanner_rss:.0f} MiB"
    worker = summary.worker_peak_rss_kib / 1024
    return f"parent {scanner_rss:.0f} MiB, largest worker {worker:.0f} MiB"


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--output",
        choices=("jsonl", "objects"),
        default="jsonl",
        help="jsonl: write the CLI's output to a temporary file; objects: iterate only",
    )
    parser.add_argument(
        "--logs", type=Path, help="scan this folder instead of the corpus EVTX (e.g. copies)"
    )
    parser.add_argument(
        "--copies", type=int, default=1, help="scan this many copies of every log file"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        help="rule cache directory, as shieldwall scan keeps one (default: load without)",
    )
    args = parser.parse_args()
    logs = args.logs or args.corpus / "evtx"
    with copies_of(logs, args.copies) as evtx_dir:
        measure(args, evtx_dir, args.corpus / "sigma" / "rules" / "windows")


def measure(args: argparse.Namespace, evtx_dir: Path, rules_dir: Path) -> None:
    """Print the floor, then each --jobs value's figures, over ``evtx_dir``."""
    print(
        f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.2f}  corpus: {evtx_dir}"
        f"  copies: {args.copies}  output: {args.output}  rule cache: {args.cache}"
    )

    floors = [parse_floor(evtx_dir) for _ in range(max(args.repeat, 3))]
    floor_events, floor_seconds = min(floors, key=lambda floor: floor[1])
    floor_rate = floor_events / floor_seconds
    print(f"parse floor: {floor_events:,} events in {floor_seconds:.3f} s = {floor_rate:,.0f} ev/s")

    rates: dict[int, float] = {}
    for jobs in args.jobs:
        summary, wall, scanner_rss = best_of(
            args.repeat, partial(run_scan, evtx_dir, rules_dir, jobs, args.output, args.cache)
        )
        rates[jobs] = summary.events_per_second
        print(
            f"--jobs {jobs}: rules loaded {summary.rules_loaded:,}, failed {summary.rules_failed}"
            f" (load {summary.load_seconds:.1f} s); {summary.events:,} events, "
            f"{summary.detections:,} detections in {summary.scan_seconds:.3f} s = "
            f"{summary.events_per_second:,.0f} ev/s; floor/scan = "
            f"{floor_rate / summary.events_per_second:.1f}x; wall {wall:.1f} s; peak RSS: "
            f"{rss_text(scanner_rss, summary)}"
        )
        cpu = ", ".join(f"{seconds:.3f}" for seconds in summary.worker_cpu_seconds)
        print(
            f"    CPU s scanning per process: {cpu}; CPU-bound {cpu_bound_rate(summary):,.0f} ev/s"
        )
    if 1 in rates and 2 in rates:
        print(f"speed-up --jobs 2 / --jobs 1: {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
