"""Protective measures: every format for many indicators, and one member's list version.

Part of issue 11's ``bench/respond.py`` (the measures half). Two figures:

1. *Formats*: ``--indicators`` items (default 100,000: addresses, CIDR blocks, domains,
   URLs, SHA-256/MD5) written in every format; time per format, total, and memory.
2. *A member's list version*: the same number of issued measures in a real store (SQLite
   in a temporary folder, or ``--database-url``), one member subscribed to every format;
   :meth:`MeasureDesk.build` end to end — read through the gate, allow-list, version,
   every file, signed manifest — first (a new version, cold process), again (unchanged),
   after one measure is issued and after one is withdrawn (a new version each: the case
   the "under 1 s" target is about), and for one format pulled.

    python bench/respond.py [--indicators N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import gc
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from shieldwall.model.identity import Organisation, OrgKind, Principal, Role
from shieldwall.model.measures import Measure, MeasureFormat, MeasureKind, Subscription
from shieldwall.respond import MeasureDesk
from shieldwall.respond.measures.formats import WRITERS, BuildContext
from shieldwall.respond.measures.issue import IssueRequest
from shieldwall.respond.measures.items import Item
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.measures import measure_row
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import measures

NOW = datetime.now(UTC)
OPERATOR = Principal("operator", "centre", Role.ADMIN, OrgKind.CENTRE)


def rss_mib() -> float:
    """Resident memory of this process now (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 2**20


def peak_mib() -> float:
    """The process's peak resident memory so far (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def values(count: int, seed: int = 11) -> list[tuple[MeasureKind, str]]:
    """``count`` distinct normalised values of every kind."""
    rng = random.Random(seed)
    made: list[tuple[MeasureKind, str]] = []
    for n in range(count):
        share = n % 20
        if share < 8:
            made.append(
                (MeasureKind.IP, f"{10 + n % 200}.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}")
            )
        elif share == 8:
            made.append((MeasureKind.IP, f"{100 + n % 100}.{n >> 8 & 255}.{n & 255}.0/24"))
        elif share < 14:
            made.append((MeasureKind.DOMAIN, f"h{n}.bad-{rng.randrange(10**6)}.example"))
        elif share < 16:
            made.append((MeasureKind.URL, f"https://d{n}.example/p/{n};x?q={n}"))
        elif share < 19:
            made.append((MeasureKind.SHA256, f"{rng.getrandbits(256):064x}"))
        else:
            made.append((MeasureKind.MD5, f"{rng.getrandbits(128):032x}"))
    return made


def bench_formats(count: int) -> None:
    items = sorted(
        Item(k, v, f"indicator--{n}", "bench", 80, NOW) for n, (k, v) in enumerate(values(count))
    )
    context = BuildContext("alpha", "default", 1, NOW)
    gc.collect()
    before = rss_mib()
    total = 0.0
    print(f"formats: {count:,} items")
    for fmt, spec in WRITERS.items():
        start = time.perf_counter()
        content = spec.write(items, context)
        took = time.perf_counter() - start
        total += took
        print(f"  {fmt.value:9} {took:6.2f} s  {len(content) / 2**20:7.1f} MiB")
    print(
        f"  every format: {total:.2f} s; memory +{rss_mib() - before:.0f} MiB, "
        f"peak {peak_mib():.0f} MiB"
    )


def seeded_store(url: str, count: int) -> SqlStore:
    engine = create_sql_engine(url)
    migrate.upgrade(engine)
    store = SqlStore(engine, Signer.generate())
    with store.transaction() as tx:
        tx.organisations.add(Organisation("centre", "Centre", OrgKind.CENTRE, "BE"))
        tx.organisations.add(Organisation("alpha", "Alpha", OrgKind.NATION, "FR"))
        rows = [
            measure_row(
                Measure(
                    str(uuid.uuid4()),
                    f"centre:{n}",
                    "centre",
                    "operator",
                    kind,
                    value,
                    "bench",
                    NOW + timedelta(days=7),
                    NOW,
                    80,
                )
            )
            for n, (kind, value) in enumerate(values(count))
        ]
        tx.connection.execute(insert(measures), rows)  # one statement, many rows
        tx.measures.subscribe(Subscription("alpha", "default"))
    return store


def bench_version(count: int, url: str) -> None:
    store = seeded_store(url, count)
    desk = MeasureDesk(store, Signer.generate())
    timed(desk, "first version, cold process")
    timed(desk, "unchanged")
    request = IssueRequest("ip", "198.51.100.7", "bench", NOW + timedelta(days=1))
    issued = desk.issue(OPERATOR, request, "bench-changed").measure
    timed(desk, "changed: one measure issued")
    desk.withdraw(OPERATOR, issued.id, "bench")
    timed(desk, "changed: one measure withdrawn")
    request = IssueRequest("domain", "changed.bench.example", "bench", NOW + timedelta(days=1))
    desk.issue(OPERATOR, request, "bench-changed-2")
    timed(desk, "changed, one format pulled (nftables)", MeasureFormat.NFTABLES)
    timed(desk, "unchanged, one format pulled (nftables)", MeasureFormat.NFTABLES)
    store.close()


def timed(desk: MeasureDesk, label: str, only: MeasureFormat | None = None) -> None:
    """One :meth:`MeasureDesk.build` end to end, with its figures."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    built = desk.build(OPERATOR, "alpha", "default", only)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    size = sum(len(content) for content in built.files.values()) / 2**20
    print(
        f"list version for one member ({label}): {took:.2f} s ({cpu:.2f} s CPU), version "
        f"{built.version.version}, {len(built.items):,} items, {size:.0f} MiB in "
        f"{len(built.files)} files; peak {peak_mib():.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    print(f"load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    bench_formats(args.indicators)
    with tempfile.TemporaryDirectory() as folder:
        bench_version(args.indicators, args.database_url or f"sqlite:///{folder}/bench.db")


if __name__ == "__main__":
    main()
