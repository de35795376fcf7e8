"""Console page render times over a seeded coalition: alerts, incidents, indicators.

Seeds the console test world (tests/unit/web/world.py), then adds ALERTS alerts spread
over five members and fourteen days (each grouped into incidents by the fuse stage) and
INDICATORS indicators by alpha and bravo (bulk-inserted; two in five TLP:GREEN, the rest
AMBER, AMBER+STRICT or RED), signs in as the centre's admin and as a member lead, and prints
every page's median render time (its ``Server-Timing``), the wall-clock time of the request,
the time of a STIX and a MISP download, and the machine's load average.

    .venv/bin/python bench/console.py [--alerts 2000] [--indicators 100000] [--runs 3]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shieldwall.fuse import GroupingRules, fuse_hit
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.intel import Audience, NewVersion
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.markings import TLP_AMBER, TLP_AMBER_STRICT, TLP_GREEN, TLP_RED
from shieldwall.runtime import Services
from shieldwall.share.intel.extract import index_terms
from shieldwall.share.intel.identity import identity_id
from tests.unit.web.test_pages import pages
from tests.unit.web.world import Console, build_console, sign_in

MORE_PAGES = (
    "/console/intel?tlp=green",
    "/console/intel?kind=all&tlp=red",
    "/console/intel?kind=all&q=10.0.1.2",
    "/console/intel?q=10.1.0.0/16",
    "/console/intel/import",
    "/console/cases",
    "/console/measures",
    "/console/sitrep",
    "/console/handover",
    "/console/approvals",
    "/console/assistance",
)
"""Pages beyond the page tests' list (the filters of the intelligence page, issue 12's forms)."""
MEMBERS = ("alpha", "bravo", "alpha", "bravo", "alpha")
TECHNIQUES = ("T1566.001", "T1059.001", "T1003.001", "T1021.002", "T1071.001", "T1105")


def seed_alerts(services: Services, count: int) -> None:
    now = datetime.now(UTC)
    news = [
        NewAlert(
            key=f"bench:{n}",
            org_id=MEMBERS[n % len(MEMBERS)],
            rule_id=f"rule-{n % 40}",
            rule_title=f"Bench rule {n % 40}",
            level=("low", "medium", "high", "critical")[n % 4],
            tags=(),
            event_time=now - timedelta(hours=n % (14 * 24)),
            source=f"ingest:bench:b#{n}",
            matched={},
            event={"Image": "C:\\x.exe", "CommandLine": "x " * 20, "Computer": f"h{n % 300}"},
            entities=Entities(hosts=(f"h{n % 300}",), ips=(f"198.51.100.{n % 250}",)),
            techniques=(TECHNIQUES[n % len(TECHNIQUES)],),
        )
        for n in range(count)
    ]
    with services.store.transaction() as tx:
        tx.alerts.add(news)
    for new in news:
        with services.store.transaction() as tx:
            hit = tx.alerts.hit(new.key)
            assert hit is not None
            fuse_hit(tx.incidents, hit, GroupingRules())


LEVELS = (
    (TLP_GREEN.id, TlpLevel.GREEN),
    (TLP_GREEN.id, TlpLevel.GREEN),
    (TLP_AMBER.id, TlpLevel.AMBER),
    (TLP_AMBER_STRICT.id, TlpLevel.AMBER_STRICT),
    (TLP_RED.id, TlpLevel.RED),
)
"""Two in five indicators TLP:GREEN, the rest restricted to their producer's organisation."""


def seed_indicators(services: Services, count: int) -> None:
    """Bulk insert ``count`` indicator versions by alpha and bravo, with their index terms,
    as the store's ``add_versions`` keeps them (one INSERT per 5,000 rows, no validation:
    the rows are what publishing would have stored)."""
    batch: list[NewVersion] = []
    for k in range(count):
        producer = ("alpha", "bravo")[k % 2]
        ref, level = LEVELS[k % len(LEVELS)]
        ip = f"10.{k // 65536}.{k // 256 % 256}.{k % 256}"
        obj = {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{uuid.uuid4()}",
            "created": "2024-01-01T00:00:00.000Z",
            "modified": "2024-01-01T00:00:00.000Z",
            "created_by_ref": identity_id(producer),
            "object_marking_refs": [ref],
            "pattern": f"[ipv4-addr:value = '{ip}']",
            "pattern_type": "stix",
            "valid_from": "2024-01-01T00:00:00Z",
            "name": f"bench {k}",
        }
        audience = Audience(producer_org_id=producer, tlp=int(level), marking_refs=(ref,))
        batch.append(
            NewVersion(
                stix_id=obj["id"],
                stix_type="indicator",
                version=datetime(2024, 1, 1, tzinfo=UTC),
                spec_version="2.1",
                audience=audience,
                body=orjson.dumps(obj).decode(),
                refs=(identity_id(producer),),
                terms=index_terms(obj),
            )
        )
        if len(batch) == 5000 or k == count - 1:
            with services.store.transaction() as tx:
                tx.intel.add_versions(batch)
            batch = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--alerts", type=int, default=2000)
    parser.add_argument("--indicators", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="console-bench-"))
    with own_schema(args.postgres) as url:
        run(build_console(folder, url), args)


@contextmanager
def own_schema(url: str) -> Iterator[str]:
    """A schema of the bench's own in the PostgreSQL database (dropped after), or SQLite."""
    if not url:
        yield ""
        return
    import psycopg

    schema = f"sw_bench_{os.getpid()}"
    admin = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def analyse(services: Services) -> None:
    """Refresh the planner's statistics after the bulk insert, as PostgreSQL's autovacuum
    (or an operator after a bulk load) would: with the statistics of an empty table the
    planner sorts every matching row instead of walking the sequence index to the page."""
    from sqlalchemy import text

    engine = services.store.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def run(console: Console, args: argparse.Namespace) -> None:
    """Seed, then time every page for the centre's admin and a member lead."""
    started = time.perf_counter()
    seed_alerts(console.services, args.alerts)
    seed_indicators(console.services, args.indicators)
    analyse(console.services)
    print(
        f"seeded {args.alerts} alerts, {args.indicators} indicators "
        f"in {time.perf_counter() - started:.1f} s"
    )
    for email in ("centre@web.example", "alpha-lead@web.example"):
        client = console.client()
        sign_in(client, email)
        print(f"\n{email}: page, status, median render ms, median request ms")
        for path in [*pages(console), *MORE_PAGES]:
            renders, walls, status = [], [], 0
            for _ in range(args.runs):
                begin = time.perf_counter()
                response = client.get(path)
                walls.append((time.perf_counter() - begin) * 1000)
                renders.append(float(response.headers["server-timing"].split("dur=")[1]))
                status = response.status_code
            print(
                f"  {path[:60]:60} {status}  {statistics.median(renders):7.1f}"
                f"  {statistics.median(walls):7.1f}"
            )
        for format_ in ("stix", "misp"):
            begin = time.perf_counter()
            response = client.get(f"/console/intel/export?format={format_}&kind=all&tlp=green")
            took = time.perf_counter() - begin
            print(
                f"  download {format_} (TLP:GREEN): {response.status_code}, "
                f"{response.headers.get('x-shieldwall-objects')} objects "
                f"(capped {response.headers.get('x-shieldwall-capped')}), "
                f"{len(response.content) / 2**20:.1f} MiB in {took:.2f} s"
            )
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"\nload average (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
    console.services.close()


if __name__ == "__main__":
    main()
