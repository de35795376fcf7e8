"""The fuse stage alone: stored alert hits into incidents, CPU and SQL per hit (issue 10).

Runs the SigmaHQ Windows rules of the shared corpus over every EVTX record of the corpus
offline (as the detect worker would, one member, alerts deduplicated as `shieldwall up`
deduplicates them), stores those alerts and their hits in a fresh store, then times
:meth:`FuseWorker.fuse` over the hits in batches of 200 (the worker's batch), with the
campaign heuristics of the default settings. Printed: hits/s (wall), CPU µs per hit
(``time.process_time``: the figure to compare on a busy machine), SQL statements per hit
(a ``before_cursor_execute`` listener), and the incidents, history and campaign rows the
run left (the same before and after a change to the stage).

    .venv/bin/python bench/fuse.py [--corpus ../shared/corpus] [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

BATCH = 200
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_alerts(corpus: Path) -> list[Any]:
    """The alerts the live detect stage stores for every EVTX record of the corpus."""
    from shieldwall.detect.engine import Engine
    from shieldwall.detect.sigma.loader import load_rules
    from shieldwall.ingest import discover_files, iter_records
    from shieldwall.live.alert_facts import EventFacts
    from shieldwall.normalise import normalise

    engine = Engine(load_rules([corpus / "sigma" / "rules" / "windows"]))
    found: list[Any] = []
    sequence = 0
    for path in discover_files([corpus / "evtx"]):
        for record in iter_records(path, on_problem=lambda _problem: None):
            sequence += 1
            event_ = dataclasses.replace(normalise(record), member="alpha")
            facts = EventFacts(event_, 3600)
            for detection in engine.match(event_):
                found.append(facts.alert(detection, sequence))
    return found


def open_store(folder: Path, database_url: str) -> Any:
    from shieldwall.access import accounts
    from shieldwall.access.accounts import OPERATOR
    from shieldwall.config.settings import load_settings
    from shieldwall.model.identity import Organisation, OrgKind
    from shieldwall.runtime.wiring import open_services

    env = {"SHIELDWALL_DATA_DIR": str(folder), "SHIELDWALL_LOG_LEVEL": "WARNING"}
    if database_url:
        env["SHIELDWALL_DATABASE_URL"] = database_url
    services = open_services(load_settings(env))
    accounts.add_organisation(
        services.store, OPERATOR, Organisation("alpha", "Alpha", OrgKind.NATION, "FR")
    )
    return services


def fresh_schema(url: str, prefix: str = "bench_fuse") -> tuple[str, str]:
    """On PostgreSQL, a schema of this run's own: the URL pointed at it, and its name."""
    if not url.startswith("postgresql"):
        return url, ""
    import psycopg

    schema = f"{prefix}_{os.getpid()}"
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}", schema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the fusing here")
    parser.add_argument("--dump", type=Path, help="write the resulting rows here (to diff)")
    args = parser.parse_args()

    from shieldwall.bus.protocol import Delivery
    from shieldwall.live import FuseWorker
    from shieldwall.live.wire import ALERTS_SUBJECT, encode_hits
    from shieldwall.runtime.live import campaign_rules, grouping_rules

    started = time.perf_counter()
    alerts = corpus_alerts(args.corpus)
    print(f"detected {len(alerts):,} hits in {time.perf_counter() - started:.1f} s")
    url, schema = fresh_schema(args.database_url)
    with tempfile.TemporaryDirectory() as folder:
        services = open_services_and_store(Path(folder), url, alerts)
        try:
            settings = services.settings
            worker = FuseWorker(
                None,  # type: ignore[arg-type]  # fuse() never touches the bus
                services.store,
                grouping_rules(settings),
                campaigns=campaign_rules(settings),
            )
            deliveries = [
                Delivery(ALERTS_SUBJECT, "fuse", n, a.key, encode_hits([(a.key, a.org_id)]), 1)
                for n, a in enumerate(alerts, 1)
            ]
            statements = [0]

            def count(*_args: Any) -> None:
                statements[0] += 1

            engine = services.store.engine
            event.listen(engine, "before_cursor_execute", count)
            profiler = None
            if args.profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            cpu, wall = time.process_time(), time.perf_counter()
            for first in range(0, len(deliveries), BATCH):
                worker.fuse(deliveries[first : first + BATCH])
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(args.profile)
            event.remove(engine, "before_cursor_execute", count)
            hits = worker.counts.hits
            print(f"fused {hits:,} hits ({worker.counts.repeated} repeated) in batches of {BATCH}")
            print(f"  {hits / wall:,.0f} hits/s wall, {cpu / hits * 1e6:,.0f} µs CPU per hit")
            print(f"  {statements[0] / hits:.2f} SQL statements per hit")
            again = worker.counts.repeated
            worker.fuse(deliveries[:BATCH])  # a redelivered batch changes nothing
            print(f"  redelivered batch: {worker.counts.repeated - again} repeated")
            with engine.connect() as connection:
                for table in ("incidents", "incident_alerts", "incident_links"):
                    print(f"  {table}: {rows(connection, table)}")
                for table in ("incident_history", "campaigns", "campaign_links"):
                    print(f"  {table}: {rows(connection, table)}")
                figures = connection.execute(
                    text(
                        "select count(*), sum(alert_count), max(alert_count),"
                        " count(distinct severity) from incidents where status != 'closed'"
                    )
                ).one()
                print(f"  open incidents, hits counted, largest, severities: {tuple(figures)}")
                if args.dump:
                    args.dump.write_text(dump(connection), encoding="utf-8")
        finally:
            services.close()
            if schema:
                import psycopg

                plain = args.database_url.replace("+psycopg", "")
                with psycopg.connect(plain, autocommit=True) as connection:
                    connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def rows(connection: Any, table: str) -> int:
    return int(connection.execute(text(f"select count(*) from {table}")).scalar_one())


DUMPED = {
    "incidents": "id, org_id, title, severity, status, close_reason, merged_into, alert_count,"
    " first_seen, last_seen, opened_by",
    "incident_alerts": "alert_seq, incident_id",
    "incident_links": "incident_id, org_id, link, at",
    "incident_history": "incident_id, actor, action, detail",
    "campaigns": "id, link, members",
    "campaign_links": "link, org_id, incident_id, first_seen",
    "fuse_applied": "key, incident_id",
}
"""What the fusion decided, without the row ids and clock times that differ between runs."""


def dump(connection: Any) -> str:
    lines: list[str] = []
    for table, columns in DUMPED.items():
        query = f"select {columns} from {table} order by {columns.replace(', detail', '')}"
        lines += [f"{table} {tuple(row)}" for row in connection.execute(text(query))]
    return "\n".join(lines) + "\n"


def open_services_and_store(folder: Path, url: str, alerts: list[Any]) -> Any:
    """A fresh store holding these alerts, stored as the detect worker stores them."""
    services = open_store(folder, url)
    for first in range(0, len(alerts), 1000):
        with services.store.transaction() as tx:
            tx.alerts.add(alerts[first : first + 1000])
    return services


if __name__ == "__main__":
    sys.exit(main())
