"""Parse floor: events/s of discover + iter_records + normalise over the EVTX corpus.

Prints three figures on one core: the raw ``evtx`` package rate (records_json, JSON text
only), the package rate with ``orjson.loads`` (Python dicts: the ~100k/s floor of the
issue), and Shieldwall's rate through ``discover_files`` → ``iter_records`` →
``normalise`` (what the Sigma engine sits on). Each figure is the best of ``--repeat`` runs.

Usage: ``.venv/bin/python bench/parse.py [CORPUS_EVTX_DIR] [--repeat N]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import evtx
import orjson

from shieldwall.ingest import discover_files, iter_records
from shieldwall.model.errors import InputError
from shieldwall.normalise import normalise

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "evtx"


def raw_package(files: list[Path], decode: bool) -> int:
    """Count records through the evtx package alone (optionally decoding the JSON)."""
    count = 0
    for path in files:
        for record in evtx.PyEvtxParser(str(path), 1).records_json():
            if decode:
                orjson.loads(record["data"])
            count += 1
    return count


def shieldwall_pipeline(files: list[Path], problems: list[InputError]) -> int:
    """Count events through ingest and normalise, as ``shieldwall scan`` reads them."""
    count = 0
    for path in files:
        for record in iter_records(path, on_problem=problems.append):
            try:
                normalise(record)
            except InputError as err:
                problems.append(err)
                continue
            count += 1
    return count


def best_rate(run: Callable[[], int], repeat: int) -> tuple[int, float]:
    """Best events/s over ``repeat`` runs (the least disturbed by the rest of the machine)."""
    best = 0.0
    count = 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = run()
        best = max(best, count / (time.perf_counter() - start))
    return count, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    evtx_files = [p for p in discover_files([args.corpus]) if p.suffix.lower() == ".evtx"]
    problems: list[InputError] = []
    figures = [
        ("evtx package, JSON text only", lambda: raw_package(evtx_files, decode=False)),
        ("evtx package + orjson (dicts)", lambda: raw_package(evtx_files, decode=True)),
        ("shieldwall ingest + normalise", lambda: shieldwall_pipeline(evtx_files, problems)),
    ]
    print(f"corpus: {args.corpus} ({len(evtx_files)} EVTX files), best of {args.repeat}")
    for label, run in figures:
        count, rate = best_rate(run, args.repeat)
        print(f"{label:32s} {count:>8d} events  {rate:>10,.0f} events/s")
    unique = {str(p) for p in problems}
    print(f"problems reported: {len(unique)}")
    for problem in sorted(unique)[:10]:
        print(f"  {problem}")


if __name__ == "__main__":
    main()
