"""The crash test at full size: 200,000 events stream in while the detect worker is
SIGKILLed again and again (issue 10: "SIGKILL the detect worker repeatedly while 200,000
events stream in, on the embedded bus and on NATS JetStream: after restart, the alerts
equal those of an offline `shieldwall scan` of the same events — none lost, none
doubled").

Runs `shieldwall serve`, `shieldwall worker detect` and `shieldwall worker fuse` on the
embedded default (or `--bus-url nats://… --database-url postgresql+psycopg://…`) with
the SigmaHQ Windows rules of the shared corpus, and, as alpha's sensor, posts every EVTX
record of the corpus ``--copies`` times (12 copies: 201,612 events; each copy's records
moved to hours of their own, so each copy's matches are alerts of their own). Every
``--kill-every`` seconds (6: a new detect worker spends about 2.5 s loading the rules
before it takes a batch) until the matches are all in, the detect worker is SIGKILLed
and started again; every other time the fuse worker too. Printed: events, kills, the matches
counted on the alerts against the engine's offline count for the same events (equal:
none lost, none doubled), the hit rows, and the hits the incidents hold (each fused
once).

    .venv/bin/python bench/crash.py [--corpus ../shared/corpus] [--copies 12]
        [--kill-every 6.0] [--bus-url nats://127.0.0.1:4222
        --database-url postgresql+psycopg://root@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from pipeline import (
    BATCH,
    DEFAULT_CORPUS,
    alert_hits,
    drop_schema,
    drop_streams,
    fresh_schema,
    offline_alerts,
    records,
    restamped,
    start,
    stop,
)


def worker(args: argparse.Namespace, stage: str) -> subprocess.Popen[bytes]:
    """A stage's worker, its output appended to ``<stage>.log`` in the data directory."""
    with (Path(args.env["SHIELDWALL_DATA_DIR"]) / f"{stage}.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "shieldwall.cli", "worker", stage],
            env={**os.environ, **args.env, "SHIELDWALL_LOG_LEVEL": "INFO"},
            stdout=log,
            stderr=log,
        )


def killer(args: argparse.Namespace, done: threading.Event, kills: list[int]) -> None:
    """SIGKILL the detect worker every ``kill_every`` seconds (the fuse worker every other
    time) and start it again, until ``done``."""
    while not done.wait(args.kill_every):
        stages = ("detect", "fuse") if kills[0] % 2 else ("detect",)
        for stage in stages:
            index = 0 if stage == "detect" else 1
            args.workers[index].send_signal(signal.SIGKILL)
            args.workers[index].wait()
            args.workers[index] = worker(args, stage)
        kills[0] += 1
        kills[1] += len(stages) - 1


def post(client: httpx.Client, base: str, sensor: str, body: bytes) -> tuple[int, int]:
    """Send a batch as a sensor does: again after ``Retry-After`` while the centre pushes
    back (429: over the member's rate, or detection behind); (accepted, pushbacks)."""
    pushed = 0
    while True:
        answer = client.post(
            f"{base}/api/v1/ingest",
            content=body,
            headers={"Authorization": f"Bearer {sensor}", "Content-Type": "application/x-ndjson"},
        )
        if answer.status_code != 429:
            answer.raise_for_status()
            return int(answer.json()["accepted"]), pushed
        pushed += 1
        time.sleep(float(answer.headers.get("retry-after", "1")))


def fused_hits(args: argparse.Namespace, expected: int) -> int:
    """The alert hits the incidents hold, once they reach ``expected`` or stop growing
    for 60 s (the fuse worker, killed too, catches up after the detect worker)."""
    from shieldwall.config.settings import load_settings
    from shieldwall.model.incident import IncidentQuery
    from shieldwall.runtime.wiring import open_services

    services = open_services(load_settings(args.env))

    def held() -> int:
        with services.store.reading() as tx:
            found = tx.incidents.page(IncidentQuery(org_ids=None, limit=10**7))
            return sum(i.alert_count for i in found if i.merged_into is None)

    last, still = -1, time.perf_counter()
    try:
        while time.perf_counter() - still < 60 and last < expected:
            if (now := held()) != last:
                last, still = now, time.perf_counter()
            time.sleep(1.0)
        time.sleep(3.0)  # anything fused twice would show by then
        return held()
    finally:
        services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--copies", type=int, default=12)
    parser.add_argument(
        "--kill-every",
        type=float,
        default=6.0,
        help="seconds between kills; a detect worker takes ~2.5 s to load the 2,407 rules",
    )
    parser.add_argument("--bus-url", default="")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    args.separate, args.stage_processes, args.detect_replicas = True, False, 1
    rules = args.corpus / "sigma" / "rules" / "windows"
    lines = records(args.corpus)
    offline, _ = offline_alerts(lines, rules)
    bodies = [
        b"\n".join(restamped(line, copy) for line in lines[first : first + BATCH]) + b"\n"
        for copy in range(args.copies)
        for first in range(0, len(lines), BATCH)
    ]
    events, expected = len(lines) * args.copies, offline * args.copies
    where = "NATS JetStream + PostgreSQL" if args.bus_url else "embedded (SQLite)"
    print(f"{where}; {events:,} events; {expected:,} matches offline; a kill every "
          f"{args.kill_every:.1f} s")  # fmt: skip
    schema = fresh_schema(args)
    with tempfile.TemporaryDirectory() as tmp:
        process, base, sensor, analyst = start(Path(tmp), rules, args)
        done, kills = threading.Event(), [0, 0]
        thread = threading.Thread(target=killer, args=(args, done, kills))
        try:
            began = time.perf_counter()
            thread.start()
            with httpx.Client(timeout=120) as client:
                answers = [post(client, base, sensor, body) for body in bodies]
                accepted = sum(accepted for accepted, _ in answers)
                pushed = sum(pushed for _, pushed in answers)
                posted = time.perf_counter() - began
                rows, hits = settle(client, base, analyst, expected)
            done.set()
            thread.join()
            took = time.perf_counter() - began
            fused = fused_hits(args, expected)
        finally:
            done.set()
            if thread.is_alive():  # a restart in hand finishes before everything stops
                thread.join()
            stop([process, *args.workers])
        if schema:
            drop_schema(args, schema)
        drop_streams(args)
    verdict = "equal" if hits == expected else "MISSING" if hits < expected else "DOUBLED"
    print(f"accepted {accepted:,} events in {posted:.1f} s ({pushed} answers 429, each batch "
          f"sent again after Retry-After); detect worker SIGKILLed "
          f"{kills[0]} times, fuse worker {kills[1]} times, over {took:.1f} s")  # fmt: skip
    print(f"matches counted on alerts: {hits:,} live vs {expected:,} offline ({verdict}), "
          f"on {rows:,} alerts")  # fmt: skip
    print(f"hits held by incidents: {fused:,} ({'each once' if fused == expected else 'WRONG'})")
    if hits != expected or fused != expected:
        raise SystemExit(1)


def settle(client: httpx.Client, base: str, analyst: str, expected: int) -> tuple[int, int]:
    """Poll until the matches reach ``expected`` and stay there 3 s (anything doubled by a
    redelivery would show by then), or stop growing for 120 s."""
    last, still, rows, hits = -1, time.perf_counter(), 0, 0
    while time.perf_counter() - still < (3.0 if last >= expected else 120.0):
        rows, hits = alert_hits(client, base, analyst)
        if hits != last:
            last, still = hits, time.perf_counter()
        time.sleep(0.5)
    return rows, hits


if __name__ == "__main__":
    main()
