"""Serving indicators with their sighting scores: SQL statements and time per search page.

Stores N green indicators (default 1,000), each sighted once, in a fresh SQLite store, then
serves them as one REST search page (``Searcher.search``, limit 1,000) and prints the SQL
statements issued and the median time over a few runs. For comparison it also times the
per-indicator lookups alone (``countable_sightings`` once per indicator, the old cost).

    .venv/bin/python bench/intel_search.py [--count 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from shieldwall.model.identity import Organisation, OrgKind, Person, Principal, Role
from shieldwall.model.intel import IntelQuery
from shieldwall.policy.markings import TLP_GREEN
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.identity import identity_id
from shieldwall.share.intel.publish import publish
from shieldwall.share.intel.search import SearchRequest
from shieldwall.share.intel.session import intel_session
from shieldwall.share.intel.sightings import countable_sightings
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore

ORGS = (
    Organisation("alpha", "Alpha CERT", OrgKind.NATION, "FR", ("government",)),
    Organisation("bravo", "Bravo CSIRT", OrgKind.MILITARY, "DE", ("energy",)),
)
NOW = datetime(2024, 6, 1, tzinfo=UTC)


def principal(org: Organisation) -> Principal:
    return Principal(f"p-{org.id}", org.id, Role.ANALYST, org.kind, org.country, org.sectors)


def open_store(folder: Path) -> SqlStore:
    engine = create_sql_engine(f"sqlite:///{folder / 'intel.db'}")
    migrate.upgrade(engine)
    store = SqlStore(engine, Signer.generate())
    with store.transaction() as tx:
        for org in ORGS:
            tx.organisations.add(org)
            tx.people.add(
                Person(f"p-{org.id}", org.id, org.name, f"a@{org.id}.x", Role.ANALYST), None
            )
    return store


def stix(kind: str, org: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--{uuid.uuid4()}",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "created_by_ref": identity_id(org),
        "object_marking_refs": [TLP_GREEN.id],
        **fields,
    }


def seed(store: SqlStore, count: int) -> None:
    indicators = [
        stix(
            "indicator",
            "alpha",
            pattern=f"[ipv4-addr:value = '10.{k // 65536}.{k // 256 % 256}.{k % 256}']",
            pattern_type="stix",
            valid_from="2024-01-01T00:00:00Z",
        )
        for k in range(count)
    ]
    sightings = [stix("sighting", "bravo", sighting_of_ref=i["id"], count=2) for i in indicators]
    for org, objects in ((ORGS[0], indicators), (ORGS[1], sightings)):
        with store.transaction() as tx:
            publish(tx, principal(org), objects, Addressing(), StoreDirectory(tx))


def measured(store: SqlStore, action: Callable[[], int], runs: int) -> tuple[int, float, int]:
    """(statements of one run, median seconds, items served)."""
    statements: list[object] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    times, served = [], 0
    for run in range(runs):
        if run == 0:
            event.listen(store.engine, "before_cursor_execute", record)
        start = time.perf_counter()
        served = action()
        times.append(time.perf_counter() - start)
        if run == 0:
            event.remove(store.engine, "before_cursor_execute", record)
    return len(statements), statistics.median(times), served


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    query = IntelQuery(types=("indicator",))
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder))
        seed(store, args.count)

        def page() -> int:
            with intel_session(store, principal(ORGS[0]), now=NOW) as session:
                found = session.searcher.search(SearchRequest(query, limit=args.count))
            return len(found.items)

        def per_indicator() -> int:
            with intel_session(store, principal(ORGS[0]), now=NOW) as session:
                items = session.reader.page(query, limit=args.count).items
                for item in items:
                    countable_sightings(session.tx, session.viewer, item.stix_id)
            return len(items)

        for name, action in (("batched page", page), ("per-indicator lookups", per_indicator)):
            count, seconds, served = measured(store, action, args.runs)
            print(
                f"{name:>22}: {served} indicators, {count} SQL statements, {seconds * 1000:.1f} ms"
            )
        store.close()


if __name__ == "__main__":
    main()
