"""Console page render times over a seeded coalition: alerts, incidents, indicators.

Seeds the console test world (tests/unit/web/world.py), then adds ALERTS alerts spread
over five members and fourteen days (each grouped into incidents by the fuse stage) and
INDICATORS TLP:GREEN indicators published by alpha, signs in as the centre's admin and as
a member lead, and prints each page's median render time (its ``Server-Timing``) and the
wall-clock time of the request.

    .venv/bin/python bench/console.py [--alerts 2000] [--indicators 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shieldwall.fuse import GroupingRules, fuse_hit
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.policy.markings import TLP_GREEN
from shieldwall.runtime import Services
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.identity import identity_id
from shieldwall.share.intel.publish import publish
from tests.unit.web.test_pages import pages
from tests.unit.web.world import build_console, sign_in

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


def seed_indicators(services: Services, count: int) -> None:
    from shieldwall.model.identity import OrgKind, Principal, Role

    who = Principal("bench", "alpha", Role.ANALYST, OrgKind.NATION, "FR", ("government",))
    objects = [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{uuid.uuid4()}",
            "created": "2024-01-01T00:00:00.000Z",
            "modified": "2024-01-01T00:00:00.000Z",
            "created_by_ref": identity_id("alpha"),
            "object_marking_refs": [TLP_GREEN.id],
            "pattern": f"[ipv4-addr:value = '10.{k // 65536}.{k // 256 % 256}.{k % 256}']",
            "pattern_type": "stix",
            "valid_from": "2024-01-01T00:00:00Z",
            "name": f"bench {k}",
        }
        for k in range(count)
    ]
    for start in range(0, count, 5000):
        with services.store.transaction() as tx:
            publish(tx, who, objects[start : start + 5000], Addressing(), StoreDirectory(tx))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--alerts", type=int, default=2000)
    parser.add_argument("--indicators", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    console = build_console(Path(tempfile.mkdtemp(prefix="console-bench-")))
    started = time.perf_counter()
    seed_alerts(console.services, args.alerts)
    seed_indicators(console.services, args.indicators)
    print(
        f"seeded {args.alerts} alerts, {args.indicators} indicators "
        f"in {time.perf_counter() - started:.1f} s"
    )
    for email in ("centre@web.example", "alpha-lead@web.example"):
        client = console.client()
        sign_in(client, email)
        print(f"\n{email}: page, status, median render ms, median request ms")
        for path in pages(console):
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
    console.services.close()


if __name__ == "__main__":
    main()
