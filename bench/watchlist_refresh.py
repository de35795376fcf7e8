"""The live watchlists with many shared indicators: build, update, memory (issue 10).

Bravo shares ``--indicators`` TLP:GREEN indicators (the pipeline bench's mix,
:mod:`intel_load`) in batches of ``--batch``; a :class:`~shieldwall.runtime.Watchlists`
over the same store refreshes after every batch, as the detect stage's poll would while
they arrive. Then: a full build, one indicator published, the same revoked. Each step
is given as CPU seconds of this process (``time.process_time``: the machine is shared,
wall time is noise) and the resident memory after it.

    python bench/watchlist_refresh.py [--indicators 100000] [--batch 1000] [--database-url …]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from intel_load import backend_cpu_seconds, indicator, indicators, own_schema
from shieldwall import share as share_app
from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.config.settings import load_settings
from shieldwall.model.identity import Organisation, OrgKind, Person, Principal, Role
from shieldwall.runtime.watchlists import Watchlists
from shieldwall.runtime.wiring import open_services
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.identity import identity_id
from shieldwall.share.intel.publish import publish
from shieldwall.store.protocols import Store

MEMBERS = 2


def digest(store: Store) -> str:
    """Of every member's watchlist entries as :func:`share.watch_entries` reads them."""
    text = hashlib.sha256()
    for member in ("alpha", "bravo"):
        found = share_app.watch_entries(store, member, datetime.now(UTC))
        for entry in sorted(found.entries, key=repr):
            text.update(f"{member} {entry!r}\n".encode())
    return text.hexdigest()[:16]


def rss_mib() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--indicators", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        own_schema(args.database_url, "bench_watch") as url,
    ):
        env = {"SHIELDWALL_DATA_DIR": tmp, "SHIELDWALL_LOG_LEVEL": "WARNING"}
        if url:
            env["SHIELDWALL_DATABASE_URL"] = url
        services = open_services(load_settings(env))
        store = services.store
        for org_id in ("alpha", "bravo"):
            accounts.add_organisation(
                store, OPERATOR, Organisation(org_id, org_id.capitalize(), OrgKind.NATION, "FR")
            )
        sharer = accounts.add_person(
            store, OPERATOR, Person("", "bravo", "s", "s@bravo.example", Role.ANALYST)
        )
        who = Principal(sharer.id, "bravo", Role.ANALYST)
        producer = identity_id("bravo")

        def share(objects: list[dict[str, object]]) -> None:
            with store.transaction() as tx:
                result = publish(tx, who, objects, Addressing(), StoreDirectory(tx))
            assert not result.failures, result.failures[:2]

        lists = Watchlists(store)
        lists.refresh()
        objects = list(indicators(args.indicators, producer))
        publishing = refreshing = server = 0.0
        slowest = 0.0
        for start in range(0, len(objects), args.batch):
            began = time.process_time()
            share(objects[start : start + args.batch])
            publishing += time.process_time() - began
            began, served = time.process_time(), backend_cpu_seconds(url)
            lists.refresh()
            took = time.process_time() - began
            server += backend_cpu_seconds(url) - served
            refreshing += took
            slowest = max(slowest, took)
        per = 1e6 / (args.indicators * MEMBERS)
        print(f"{args.indicators:,} indicators in batches of {args.batch:,}: publishing "
              f"{publishing:.1f} s CPU; refreshes after each batch {refreshing:.1f} s CPU "
              f"(slowest {slowest * 1000:.0f} ms; {refreshing * per:.0f} µs per indicator "
              f"and member) + {server:.1f} s PostgreSQL CPU ({server * per:.0f} µs); "
              f"{lists.size:,} entries; RSS {rss_mib():.0f} MiB")  # fmt: skip
        gc.collect()
        began, served = time.process_time(), backend_cpu_seconds(url)
        fresh = Watchlists(store)
        fresh.refresh()
        took, server = time.process_time() - began, backend_cpu_seconds(url) - served
        print(f"full build ({MEMBERS} members): {took:.2f} s CPU ({took * per:.0f} µs per "
              f"indicator and member) + {server:.2f} s PostgreSQL CPU; {fresh.size:,} "
              f"entries; RSS {rss_mib():.0f} MiB; entries digest {digest(store)}")  # fmt: skip
        del fresh
        probe = indicator(10**9, producer, "[domain-name:value = 'probe.bench.invalid']")
        share([probe])
        began = time.process_time()
        lists.refresh()
        added = time.process_time() - began
        matcher = lists("alpha")
        assert matcher is not None and matcher.observe("domain", "probe.bench.invalid")
        later = datetime.now(UTC) + timedelta(seconds=1)
        stamp = later.strftime("%Y-%m-%dT%H:%M:%S.") + f"{later.microsecond // 1000:03d}Z"
        revoked = {**probe, "modified": stamp, "revoked": True}
        share([revoked])
        began = time.process_time()
        lists.refresh()
        gone = time.process_time() - began
        matcher = lists("alpha")
        assert matcher is not None and not matcher.observe("domain", "probe.bench.invalid")
        print(f"one published: refresh {added * 1000:.0f} ms CPU; the same revoked: "
              f"{gone * 1000:.0f} ms CPU")  # fmt: skip
        services.close()


if __name__ == "__main__":
    main()
