"""The live pipeline end to end: HTTP ingest → bus → detect worker → alerts (issue 10).

Starts `shieldwall up` on the embedded default (or `--bus-url nats://… --database-url
postgresql+psycopg://…`) with the SigmaHQ Windows rules of the shared corpus as
`SHIELDWALL_LIVE_RULES`, then, as a member's sensor, posts every EVTX record of the
corpus (as `evtx_dump` JSON, NDJSON batches of 1,000):

- ingest rate: events/s the API accepted (each batch answered only once durable);
- end to end: events/s until the alerts stop growing, and the alerts against the count
  the same engine gives offline for the same events;
- latency at half that rate: for each batch, from the answer to the first of its alerts
  being readable (p50, p99), measured by polling `GET /api/v1/alerts`.

    .venv/bin/python bench/pipeline.py [--corpus ../shared/corpus] [--copies 1]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

BATCH = 1000
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def records(corpus: Path) -> list[bytes]:
    """Every EVTX record of the corpus as one NDJSON line."""
    from shieldwall.ingest import discover_files, iter_records

    lines: list[bytes] = []
    for path in discover_files([corpus / "evtx"]):
        for record in iter_records(path, on_problem=lambda _problem: None):
            lines.append(orjson.dumps(record.payload))
    return lines


def offline_alerts(lines: list[bytes], rules: Path) -> tuple[int, list[bytes]]:
    """The alerts the engine gives for these lines offline, and the lines that alert."""
    from shieldwall.detect.engine import Engine
    from shieldwall.detect.sigma.loader import load_rules
    from shieldwall.ingest.intake import read_batch
    from shieldwall.normalise import normalise

    engine = Engine(load_rules([rules]))
    total, alerting = 0, []
    for line in lines:
        for record in read_batch(line, source="offline").records:
            found = len(engine.match(normalise(record)))
            total += found
            if found:
                alerting.append(line)
    return total, alerting


def start(folder: Path, rules: Path, args: argparse.Namespace) -> tuple[Any, str, str, str]:
    """Seed a member with a sensor and an analyst, then run `shieldwall up`."""
    from shieldwall.access import accounts
    from shieldwall.access.accounts import OPERATOR
    from shieldwall.config.settings import load_settings
    from shieldwall.model.identity import Organisation, OrgKind, Person, Role
    from shieldwall.runtime.wiring import open_services

    port = _port()
    env = {
        "SHIELDWALL_DATA_DIR": str(folder),
        "SHIELDWALL_PORT": str(port),
        "SHIELDWALL_MAX_BODY_BYTES": str(64 * 1024 * 1024),
        "SHIELDWALL_LOG_LEVEL": "WARNING",
        "SHIELDWALL_LIVE_RULES": str(rules),
    }
    if args.bus_url:
        env["SHIELDWALL_BUS_URL"] = args.bus_url
        env["SHIELDWALL_BUS_NAMESPACE"] = f"bench{os.getpid()}"
    if args.database_url:
        env["SHIELDWALL_DATABASE_URL"] = args.database_url
    services = open_services(load_settings(env))
    accounts.add_organisation(
        services.store, OPERATOR, Organisation("alpha", "Alpha", OrgKind.NATION, "FR")
    )
    tokens = []
    for name, role in (("sensor", Role.SENSOR), ("analyst", Role.ANALYST)):
        person = accounts.add_person(
            services.store, OPERATOR, Person("", "alpha", name, f"{name}@alpha.example", role)
        )
        tokens.append(
            accounts.create_token(services.store, OPERATOR, person.id, name, timedelta(days=1))
        )
    services.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "shieldwall.cli", "up"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    return process, base, tokens[0].secret, tokens[1].secret


def alert_count(client: httpx.Client, base: str, analyst: str) -> tuple[int, int]:
    """(alerts readable, sequence of the last one)."""
    total, after = 0, 0
    while True:
        page = client.get(
            f"{base}/api/v1/alerts",
            params={"after": after, "limit": 1000},
            headers={"Authorization": f"Bearer {analyst}"},
        ).json()
        total += len(page["alerts"])
        if "next_after" not in page:
            return total, page["alerts"][-1]["seq"] if page["alerts"] else after
        after = page["next_after"]


def post(client: httpx.Client, base: str, sensor: str, body: bytes) -> int:
    answer = client.post(
        f"{base}/api/v1/ingest",
        content=body,
        headers={"Authorization": f"Bearer {sensor}", "Content-Type": "application/x-ndjson"},
    )
    answer.raise_for_status()
    return int(answer.json()["accepted"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--bus-url", default="")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    rules = args.corpus / "sigma" / "rules" / "windows"
    lines = records(args.corpus)
    offline, alerting = offline_alerts(lines, rules)
    expected = offline * args.copies
    # each copy gets its own batches: the same bytes twice would be one batch (idempotent)
    bodies = [
        b"\n".join(lines[start : start + BATCH]) + b"\n" + f'"copy {copy}"'.encode()
        for copy in range(args.copies)
        for start in range(0, len(lines), BATCH)
    ]
    print(f"load average {os.getloadavg()[0]:.2f}; {len(lines) * args.copies:,} events;"
          f" {expected:,} alerts offline")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        process, base, sensor, analyst = start(Path(tmp), rules, args)
        try:
            with httpx.Client(timeout=120) as client:
                began = time.perf_counter()
                accepted = sum(post(client, base, sensor, body) for body in bodies)
                ingested = time.perf_counter() - began
                print(f"ingest: {accepted:,} events in {ingested:.1f} s = "
                      f"{accepted / ingested:,.0f} events/s")  # fmt: skip
                last, stable_since = -1, time.perf_counter()
                while time.perf_counter() - stable_since < 3:
                    count, _ = alert_count(client, base, analyst)
                    if count != last:
                        last, stable_since = count, time.perf_counter()
                    time.sleep(0.2)
                done = stable_since - began
                print(f"end to end: {accepted / done:,.0f} events/s; alerts {last:,} "
                      f"(offline {expected:,})")  # fmt: skip
                latencies = measure_latency(
                    client, base, sensor, analyst, lines, alerting, accepted / done
                )
                if latencies:
                    cuts = statistics.quantiles(latencies, n=100)
                    print(f"latency answer→alert at half rate: p50 {cuts[49] * 1000:.0f} ms, "
                          f"p99 {cuts[98] * 1000:.0f} ms ({len(latencies)} batches)")  # fmt: skip
        finally:
            process.terminate()
            process.wait(timeout=60)


def measure_latency(
    client: httpx.Client,
    base: str,
    sensor: str,
    analyst: str,
    lines: list[bytes],
    alerting: list[bytes],
    rate: float,
) -> list[float]:
    """Batches of 100 (one line known to alert in each) at half the end-to-end rate; the
    time from the answer to the batch's first alert being readable."""
    size = 100
    pause = size / max(rate / 2, 1.0)
    latencies: list[float] = []
    _, after = alert_count(client, base, analyst)
    for number, start in enumerate(range(0, min(len(lines), 100 * size), size)):
        chosen = [*lines[start : start + size - 1], alerting[number % len(alerting)]]
        body = b"\n".join(chosen) + f'\n"latency {number}"'.encode()
        post(client, base, sensor, body)
        answered = time.perf_counter()
        deadline = answered + 10
        while time.perf_counter() < deadline:
            count, last = alert_count_after(client, base, analyst, after)
            if count:
                latencies.append(time.perf_counter() - answered)
                after = last
                break
            time.sleep(0.005)
        time.sleep(pause)
    return latencies


def alert_count_after(client: httpx.Client, base: str, analyst: str, after: int) -> tuple[int, int]:
    page = client.get(
        f"{base}/api/v1/alerts",
        params={"after": after, "limit": 1000},
        headers={"Authorization": f"Bearer {analyst}"},
    ).json()
    alerts = page["alerts"]
    return len(alerts), alerts[-1]["seq"] if alerts else after


if __name__ == "__main__":
    main()
