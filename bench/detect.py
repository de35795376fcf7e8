"""The live detect stage alone: CPU per event of DetectWorker steps (issue 10).

Normalises every EVTX record of the corpus as ``bench/pipeline.py`` does offline, puts
the events on an embedded bus in packs (as the intake publishes them) in a temporary
directory with a temporary SQLite store, then times
:class:`~shieldwall.live.DetectWorker` steps (batches of 500) over them with the SigmaHQ
Windows rules, wired as ``shieldwall up`` wires it (managed rule sets, watchlists, STIX
pattern windows, sightings). Prints events/s (wall clock, noisy on a shared machine),
CPU µs per event (the figure to compare), the alerts and hits stored with a digest of
their rows (the same before and after a change), and where the stage's CPU goes: decode,
match, alert build (the rest of ``_match``), store, raise (the hits' messages), fetch,
acknowledgement, and the rest (the embedded bus's thread, the loop).
Each awaited part counts what the loop's thread runs meanwhile (the NATS client's
reading of replies, say).

``--database-url`` stores into PostgreSQL instead (a schema of the run's own, dropped at
the end), ``--bus-url`` puts the events on NATS JetStream (subjects in a namespace of the
run's own, their streams dropped at the end): the same digest is expected on each.

    .venv/bin/python bench/detect.py [--corpus ../shared/corpus] [--copies 1]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--bus-url nats://127.0.0.1:4222]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from fuse import fresh_schema
from pipeline import records

try:
    from shieldwall.live.event_packs import pack
except ImportError:  # a version from before packs: one event a message
    pack = None  # type: ignore[assignment]

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MEMBER = "alpha"
BATCH = 500

spent: dict[str, float] = defaultdict(float)
"""CPU seconds per part of the stage, each measured on the thread that runs it."""


def wrap(part: str, function: Callable[..., Any]) -> Callable[..., Any]:
    clock = time.thread_time

    def measured(*args: Any) -> Any:
        started = clock()
        try:
            return function(*args)
        finally:
            spent[part] += clock() - started

    return measured


def wrap_async(part: str, function: Callable[..., Any]) -> Callable[..., Any]:
    async def measured(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()  # the loop thread's CPU; the bus's thread is in "rest"
        try:
            return await function(*args, **kwargs)
        finally:
            spent[part] += time.thread_time() - started

    return measured


def events(corpus: Path, copies: int) -> list[bytes]:
    """The corpus's EVTX records normalised, each as the bus payload of ``MEMBER``."""
    from shieldwall.ingest.intake import read_batch
    from shieldwall.live.wire import encode_event
    from shieldwall.normalise import normalise

    payloads = []
    lines = records(corpus)
    for copy in range(copies):  # each copy in a day of its own: new alerts, not repeats
        for line in lines:
            for record in read_batch(line, source=f"bench:{copy}").records:
                event = normalise(record)
                if copy and event.timestamp is not None:
                    event.timestamp += timedelta(days=copy)
                payloads.append(encode_event(event, MEMBER))
    return payloads


def digest(store: Any) -> tuple[int, int, int, str]:
    """(alert rows, hits summed on them, hit rows, sha256 of both tables' contents)."""
    from sqlalchemy import select

    from shieldwall.store.sql.tables import alert_hits, alerts

    keep = [c for c in alerts.c if c.name not in ("seq", "created_at")]
    with store.engine.connect() as connection:
        rows = connection.execute(select(alerts.c.seq, *keep).order_by(alerts.c.key)).all()
        by_seq = {row.seq: row.key for row in rows}
        hits = connection.execute(select(alert_hits).order_by(alert_hits.c.key)).all()
    hasher = hashlib.sha256()
    for row in rows:
        hasher.update(repr(tuple(row)[1:]).encode())
    for hit in hits:
        values = dict(hit._mapping)
        values["alert_seq"] = by_seq[values["alert_seq"]]
        hasher.update(repr(sorted(values.items())).encode())
    counted = sum(int(row.hit_count) for row in rows)
    return len(rows), counted, len(hits), hasher.hexdigest()[:16]


def drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


async def run(folder: Path, payloads: list[bytes], rules: Path, args: argparse.Namespace) -> None:
    from shieldwall import live
    from shieldwall.access import accounts
    from shieldwall.access.accounts import OPERATOR
    from shieldwall.config.settings import load_settings
    from shieldwall.detect.sigma.loader import load_rules
    from shieldwall.live import detect_worker
    from shieldwall.model.identity import Organisation, OrgKind
    from shieldwall.runtime import SightingReporter, Watchlists
    from shieldwall.runtime.wiring import open_services
    from shieldwall.store.sql.alerts import SqlAlerts

    env = {"SHIELDWALL_DATA_DIR": str(folder), "SHIELDWALL_LOG_LEVEL": "WARNING"}
    if args.database_url:
        env["SHIELDWALL_DATABASE_URL"] = args.database_url
    if args.bus_url:
        env["SHIELDWALL_BUS_URL"] = args.bus_url
        env["SHIELDWALL_BUS_NAMESPACE"] = f"benchdetect{os.getpid()}"
    profile = args.profile
    settings = load_settings(env)
    services = open_services(settings)
    store, buses = services.store, services.buses
    accounts.add_organisation(store, OPERATOR, Organisation(MEMBER, "Alpha", OrgKind.NATION, "FR"))
    assert buses is not None
    started = time.perf_counter()
    ruleset = load_rules([rules])
    print(f"rules loaded {len(ruleset.rules)} ({time.perf_counter() - started:.1f} s)")
    if profile:  # everything on this thread, so that cProfile sees it all
        from shieldwall.bus.embedded import EmbeddedBus
        from shieldwall.live import detect_worker as module
        from shieldwall.runtime.live import bus_file

        async def inline(function: Callable[..., Any], *args: Any) -> Any:
            return function(*args)

        module.asyncio = SimpleNamespace(to_thread=inline)  # type: ignore[attr-defined]
    if profile and not args.bus_url:
        bus: Any = await EmbeddedBus.open(bus_file(settings), threaded=False)
    else:
        bus = await buses.own()
    try:  # NATS streams of the run's namespace dropped whatever happens
        for start in range(0, len(payloads), 5000):  # in packs, as the intake publishes
            chunk = [
                (f"bench:{start + i}", p) for i, p in enumerate(payloads[start : start + 5000])
            ]
            packs = pack(chunk) if pack is not None else [(*message, 1) for message in chunk]
            await bus.publish_many(buses.events_subject, [(key, body) for key, body, _ in packs])
        rules_now = live.LiveRules(store, ruleset, poll_seconds=settings.rules_poll_seconds)
        watchlists = Watchlists(store)
        worker = live.DetectWorker(
            bus,
            store,
            rules_now,
            subject=buses.events_subject,
            dedup_seconds=settings.alert_dedup_seconds,
            alerts_subject=buses.alerts_subject,
            watchlist=watchlists,
            sightings=SightingReporter(store),
            patterns=watchlists.patterns,
        )
        watchlists.refresh_or_log()
        rules_now.refresh()
        # the breakdown: each part timed on the thread that runs it
        reader = "unpack" if pack is not None else "decode_event"  # one event a message before
        setattr(detect_worker, reader, wrap("decode", getattr(detect_worker, reader)))
        rules_now.match = wrap("match", rules_now.match)  # type: ignore[method-assign]
        worker._match = wrap("_match", worker._match)  # type: ignore[method-assign]
        worker._store_alerts = wrap("store", worker._store_alerts)  # type: ignore[method-assign]
        claim = "claim" if hasattr(SqlAlerts, "claim") else "add"  # "add" before the change
        setattr(SqlAlerts, claim, wrap("alerts", getattr(SqlAlerts, claim)))
        worker._raise = wrap_async("raise", worker._raise)  # type: ignore[method-assign]
        consumer = await worker.consumer()
        consumer.fetch = wrap_async("fetch", consumer.fetch)
        consumer.ack = wrap_async("ack", consumer.ack)
        profiler = cProfile.Profile() if profile else None
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        timeout = 5.0  # the first fetch of a new NATS consumer can take its time
        while await worker.step(consumer, timeout=timeout):
            timeout = 0.2
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        await consumer.close()
    finally:
        if args.bus_url:
            for subject in (buses.events_subject, buses.alerts_subject):
                await bus.drop(subject)
        await bus.close()
    count = worker.counts.events
    print(f"events {count:,}: {count / wall:,.0f} events/s wall ({wall:.1f} s), "
          f"CPU {cpu:.2f} s = {cpu / count * 1e6:,.0f} µs/event")  # fmt: skip
    build = spent["_match"] - spent["decode"] - spent["match"]
    parts = {
        "decode": spent["decode"],
        "match": spent["match"],
        "alert build": build,
        "store": spent["store"],
        "  of which SqlAlerts.add/claim": spent["alerts"],
        "raise": spent["raise"],
        "fetch": spent["fetch"],
        "ack": spent["ack"],
    }
    parts["rest (bus thread, loop)"] = cpu - sum(parts.values()) + spent["alerts"]
    for name, seconds in parts.items():
        print(f"  {name:<30} {seconds / count * 1e6:8,.1f} µs/event  {seconds / cpu:6.1%}")
    rows, counted, hits, sha = digest(store)
    print(f"alerts {rows:,} rows, {counted:,} hits counted on them, {hits:,} hit rows; "
          f"stored {worker.counts.alerts:,}; digest {sha}")  # fmt: skip
    services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--profile", default="", help="cProfile the steps (one thread) to FILE")
    parser.add_argument("--database-url", default="", help="PostgreSQL instead of SQLite")
    parser.add_argument("--bus-url", default="", help="NATS JetStream instead of the embedded bus")
    args = parser.parse_args()
    payloads = events(args.corpus, args.copies)
    admin_url = args.database_url
    args.database_url, schema = fresh_schema(admin_url, "bench_detect")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rules = args.corpus / "sigma" / "rules" / "windows"
            asyncio.run(run(Path(tmp), payloads, rules, args))
    finally:
        if schema:
            drop_schema(admin_url, schema)


if __name__ == "__main__":
    main()
