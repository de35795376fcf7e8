"""TAXII 2.1 server benchmark: Shieldwall against medallion (the OASIS reference server).

Loads N indicators (default 100,000) into each server with POSTs of 1,000 objects (each
object validated by the server), then pages through the whole collection with limit=1000
and times filtered GETs. Prints POST throughput, full-pagination objects/s, first/last/
median/max page latency, filtered latencies and the server's resident memory.

Then, for Shieldwall, one member posts heavy requests (64 indicators of 200 comparisons
each, over and over) while another member reads (``GET /api/v1/me`` and a TAXII page of
10): the read latencies under that load (p50, p99, max) show whether one member's writes
stall the others (issue 9).

    .venv/bin/python bench/taxii.py [--count 100000] [--medallion-count N] [--skip-medallion]
                                    [--contention-seconds 20]

Both servers run as separate processes on 127.0.0.1 (plain HTTP on loopback) so their RSS
is their own. Shieldwall uses its embedded default store (SQLite, WAL, synchronous=FULL).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

TAXII = "application/taxii+json;version=2.1"
BATCH = 1000
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


@dataclass
class Target:
    name: str
    collection_url: str
    auth: tuple[str, str]
    process: subprocess.Popen[bytes]
    figures: dict[str, Any] = field(default_factory=dict)
    reader_auth: tuple[str, str] | None = None
    """Another member's credentials (Shieldwall only), for reads under contention."""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


def start_shieldwall(folder: Path) -> Target:
    """Seed one member and a token, then run `shieldwall up` on a free port."""
    from shieldwall.access import accounts
    from shieldwall.access.accounts import OPERATOR
    from shieldwall.config.settings import load_settings
    from shieldwall.model.identity import Organisation, OrgKind, Person, Role
    from shieldwall.runtime.wiring import open_services

    port = _port()
    env = {
        "SHIELDWALL_DATA_DIR": str(folder),
        "SHIELDWALL_PORT": str(port),
        "SHIELDWALL_MAX_BODY_BYTES": str(16 * 1024 * 1024),
        "SHIELDWALL_LOG_LEVEL": "WARNING",
    }
    services = open_services(load_settings(env))
    org = Organisation("bench", "Bench", OrgKind.NATION, "FR")
    accounts.add_organisation(services.store, OPERATOR, org)
    person = accounts.add_person(
        services.store, OPERATOR, Person("", "bench", "bench", "b@bench.example", Role.ANALYST)
    )
    token = accounts.create_token(services.store, OPERATOR, person.id, "b", timedelta(days=1))
    other = Organisation("other", "Other", OrgKind.NATION, "DE")
    accounts.add_organisation(services.store, OPERATOR, other)
    reader = accounts.add_person(
        services.store, OPERATOR, Person("", "other", "r", "r@other.example", Role.ANALYST)
    )
    read_token = accounts.create_token(services.store, OPERATOR, reader.id, "r", timedelta(days=1))
    services.store.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "shieldwall.cli", "up"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    _wait(f"{base}/healthz", process)
    auth = ("bench", token.secret)
    headers = {"Accept": TAXII}
    listed = httpx.get(f"{base}/taxii2/intel/collections/", auth=auth, headers=headers).json()
    federation = next(c for c in listed["collections"] if c["title"] == "Federation")
    url = f"{base}/taxii2/intel/collections/{federation['id']}/"
    return Target("shieldwall", url, auth, process, reader_auth=("other", read_token.secret))


MEDALLION_SERVER = """
import sys
from werkzeug.serving import make_server
import medallion
app = medallion.load_app(sys.argv[1])
make_server("127.0.0.1", int(sys.argv[2]), app, threaded=True).serve_forever()
"""


def start_medallion(folder: Path) -> Target:
    """medallion with its memory backend, one collection, page size 1000."""
    collection = str(uuid.uuid4())
    data = {
        "/discovery": {"title": "m", "api_roots": ["/api1/"], "default": "/api1/"},
        "api1": {
            "information": {"title": "api1", "versions": [TAXII], "max_content_length": 1 << 26},
            "status": [],
            "collections": [
                {
                    "id": collection,
                    "title": "bench",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }
    (folder / "data.json").write_text(json.dumps(data))
    config = {
        "users": {"bench": "bench-password"},
        "taxii": {"max_page_size": BATCH},
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(folder / "data.json"),
        },
    }
    (folder / "config.json").write_text(json.dumps(config))
    port = _port()
    process = subprocess.Popen(
        [sys.executable, "-c", MEDALLION_SERVER, str(folder / "config.json"), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    _wait(f"{base}/taxii2/", process)
    url = f"{base}/api1/collections/{collection}/"
    return Target("medallion", url, ("bench", "bench-password"), process)


def indicators(count: int) -> Iterator[list[dict[str, Any]]]:
    from shieldwall.share.intel.identity import identity_id

    creator = identity_id("bench")
    for start in range(0, count, BATCH):
        yield [
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uuid.uuid4()}",
                "created": "2024-01-01T00:00:00.000Z",
                "modified": "2024-01-01T00:00:00.000Z",
                "created_by_ref": creator,
                "object_marking_refs": [GREEN],
                "pattern": f"[ipv4-addr:value = '{_ip(n)}']",
                "pattern_type": "stix",
                "valid_from": "2024-01-01T00:00:00Z",
                "labels": ["bench"],
            }
            for n in range(start, min(start + BATCH, count))
        ]


def _ip(n: int) -> str:
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def load(target: Target, client: httpx.Client, count: int) -> None:
    """POST every batch; the bodies are encoded before the clock starts (the server is
    measured, not this client's JSON encoder), alike for every server."""
    bodies = [json.dumps({"objects": batch}).encode() for batch in indicators(count)]
    started = time.perf_counter()
    accepted = 0
    for body in bodies:
        response = client.post(
            target.collection_url + "objects/",
            content=body,
            headers={"Accept": TAXII, "Content-Type": TAXII},
        )
        response.raise_for_status()
        accepted += int(response.json().get("success_count", 0))
    elapsed = time.perf_counter() - started
    target.figures.update(
        {"post_objects": accepted, "post_seconds": elapsed, "post_per_s": accepted / elapsed}
    )


def paginate(target: Target, client: httpx.Client) -> None:
    latencies: list[float] = []
    total, token = 0, None
    started = time.perf_counter()
    while True:
        params: dict[str, str] = {"limit": str(BATCH)}
        if token:
            params["next"] = token
        begin = time.perf_counter()
        response = client.get(
            target.collection_url + "objects/", params=params, headers={"Accept": TAXII}
        )
        response.raise_for_status()
        body = response.json()
        latencies.append(time.perf_counter() - begin)
        total += len(body.get("objects", []))
        if not body.get("more"):
            break
        token = body["next"]
    elapsed = time.perf_counter() - started
    target.figures.update(
        {
            "pages": len(latencies),
            "paged_objects": total,
            "page_per_s": total / elapsed,
            "first_page_ms": latencies[0] * 1000,
            "last_page_ms": latencies[-1] * 1000,
            "median_page_ms": statistics.median(latencies) * 1000,
            "max_page_ms": max(latencies) * 1000,
        }
    )


def filtered(target: Target, client: httpx.Client, count: int) -> None:
    probe_ip = _ip(count - 7)
    queries = {
        "type_limit10": {"match[type]": "indicator", "limit": "10"},
        "added_after_recent": {"added_after": "2100-01-01T00:00:00.000000Z"},
    }
    if target.name == "shieldwall":
        queries["observable_ip"] = {"match[observable]": probe_ip}
    for name, params in queries.items():
        begin = time.perf_counter()
        client.get(
            target.collection_url + "objects/", params=params, headers={"Accept": TAXII}
        ).raise_for_status()
        target.figures[f"get_{name}_ms"] = (time.perf_counter() - begin) * 1000


def heavy_batch() -> list[dict[str, Any]]:
    """64 indicators of 200 comparisons each: the costly kind of POST a member can send."""
    comparisons = " OR ".join(f"domain-name:value = 'h{i}.example'" for i in range(200))
    return [{**obj, "pattern": f"[{comparisons}]"} for obj in next(indicators(64))]


def contention(target: Target, seconds: float) -> None:
    """Reads of one member while another posts heavy requests, back to back."""
    assert target.reader_auth is not None
    base = target.collection_url.split("/taxii2/")[0]
    stop = threading.Event()
    posts: list[float] = []

    def writer() -> None:
        with httpx.Client(auth=target.auth, timeout=600) as client:
            while not stop.is_set():
                begin = time.perf_counter()
                client.post(
                    target.collection_url + "objects/",
                    content=json.dumps({"objects": heavy_batch()}),
                    headers={"Accept": TAXII, "Content-Type": TAXII},
                ).raise_for_status()
                posts.append(time.perf_counter() - begin)

    thread = threading.Thread(target=writer)
    thread.start()
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    bearer = {"Authorization": f"Bearer {target.reader_auth[1]}"}
    with httpx.Client(headers=bearer, timeout=600) as client:
        while time.monotonic() < deadline:
            for url, params in (
                (f"{base}/api/v1/me", {}),
                (target.collection_url + "objects/", {"limit": "10"}),
            ):
                begin = time.perf_counter()
                client.get(
                    url, params=params, headers={"Accept": TAXII if "taxii2" in url else "*/*"}
                ).raise_for_status()
                latencies.append(time.perf_counter() - begin)
    stop.set()
    thread.join()
    ordered = sorted(latencies)
    target.figures.update(
        {
            "contended_reads": len(ordered),
            "contended_read_p50_ms": statistics.median(ordered) * 1000,
            "contended_read_p99_ms": ordered[int(0.99 * (len(ordered) - 1))] * 1000,
            "contended_read_max_ms": ordered[-1] * 1000,
            "heavy_posts": len(posts),
            "heavy_post_median_ms": statistics.median(posts) * 1000 if posts else float("nan"),
        }
    )


def run(target: Target, count: int, contention_seconds: float = 0.0) -> None:
    with httpx.Client(auth=target.auth, timeout=600) as client:
        load(target, client, count)
        target.figures["rss_after_load_mb"] = _rss_mb(target.process.pid)
        paginate(target, client)
        filtered(target, client, count)
        target.figures["rss_after_reads_mb"] = _rss_mb(target.process.pid)
    if target.reader_auth is not None and contention_seconds > 0:
        contention(target, contention_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--medallion-count", type=int, default=None)
    parser.add_argument("--skip-medallion", action="store_true")
    parser.add_argument("--contention-seconds", type=float, default=20.0)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        starters = [("shieldwall", start_shieldwall, args.count)]
        if not args.skip_medallion:
            starters.append(("medallion", start_medallion, args.medallion_count or args.count))
        for name, start, count in starters:
            folder = Path(tmp) / name
            folder.mkdir()
            target = start(folder)
            try:
                run(target, count, args.contention_seconds)
            finally:
                target.process.terminate()
                target.process.wait(timeout=30)
            results.append(target)
            print(f"\n== {name} ({count} indicators)")
            for key, value in target.figures.items():
                print(
                    f"  {key:24s} {value:12.1f}"
                    if isinstance(value, float)
                    else f"  {key:24s} {value:12d}"
                )
    if len(results) == 2:
        ours, theirs = (r.figures for r in results)
        print(
            f"\nfull pagination speed-up: {ours['page_per_s'] / theirs['page_per_s']:.1f}x; "
            f"POST speed-up: {ours['post_per_s'] / theirs['post_per_s']:.1f}x"
        )


if __name__ == "__main__":
    main()
