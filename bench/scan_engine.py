"""Benchmark the Sigma engine over the EVTX corpus with every Windows rule (one core).

Prints rules loaded/failed, events, detections, and three rates: ingest + normalise alone
(the parse floor), the engine alone (events already in memory), and end to end (reading,
normalising and matching in one stream, as ``shieldwall scan`` does).

    .venv/bin/python bench/scan_engine.py [EVTX_DIR] [RULES_DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.loader import load_rules
from shieldwall.ingest import discover_files, iter_records
from shieldwall.model.errors import InputError
from shieldwall.model.event import Event
from shieldwall.normalise import normalise

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def stream_events(files: list[Path]) -> Iterator[Event]:
    """Events as ``shieldwall scan`` reads them; problems are skipped (counted elsewhere)."""
    problems: list[InputError] = []
    for path in files:
        for record in iter_records(path, on_problem=problems.append):
            try:
                yield normalise(record)
            except InputError:
                continue


def best_seconds(run: object, repeat: int) -> float:
    """The least disturbed of ``repeat`` runs of a no-argument callable."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("evtx", nargs="?", type=Path, default=CORPUS / "evtx")
    parser.add_argument(
        "rules", nargs="?", type=Path, default=CORPUS / "sigma" / "rules" / "windows"
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    ruleset = load_rules([args.rules])
    print(
        f"rules loaded {len(ruleset.rules)}, failed {len(ruleset.problems)} "
        f"(load {time.perf_counter() - started:.1f}s)"
    )
    files = [p for p in discover_files([args.evtx]) if p.suffix.lower() == ".evtx"]
    events = list(stream_events(files))
    engine = Engine(ruleset)
    hits: Counter[str] = Counter()
    for event in events:
        for detection in engine.match(event):
            hits[detection.rule_title] += 1

    def parse_only() -> None:
        for _ in stream_events(files):
            pass

    def engine_only() -> None:
        for event in events:
            engine.match(event)

    def end_to_end() -> None:
        for event in stream_events(files):
            engine.match(event)

    count = len(events)
    print(
        f"files {len(files)}, events {count}, detections {sum(hits.values())} "
        f"from {len(hits)} rules"
    )
    for label, run in (
        ("ingest + normalise (floor)", parse_only),
        ("engine alone", engine_only),
        ("end to end (read + match)", end_to_end),
    ):
        rate = count / best_seconds(run, args.repeat)
        print(f"{label:28s} {rate:>10,.0f} events/s")
    for title, hit_count in hits.most_common(10):
        print(f"  {hit_count:6d}  {title}")


if __name__ == "__main__":
    main()
