"""The first writes to a new database, when two arrive at once.

A deployment starts empty; the first two TAXII posts, or two replicas' first writes, may
come together. Both must be stored, as every later pair is.
"""

from __future__ import annotations

import threading
import time

from shieldwall.store.sql.store import SqlStore
from tests.contract.store.values import version

HOLD_SECONDS = 0.5
"""How long the first writer keeps its transaction open: the second reaches its insert."""


def test_two_first_intel_writers_on_a_new_database_are_both_stored(store: SqlStore) -> None:
    started = threading.Event()
    failures: list[BaseException] = []

    def first_writer() -> None:
        try:
            with store.transaction() as tx:
                tx.intel.add_versions([version()])
                started.set()
                time.sleep(HOLD_SECONDS)
        except BaseException as err:  # noqa: BLE001 - reported to the test thread below
            failures.append(err)
            started.set()

    thread = threading.Thread(target=first_writer)
    thread.start()
    started.wait()
    try:
        with store.transaction() as tx:
            tx.intel.add_versions([version("malware--00000000-0000-4000-8000-000000000002")])
    finally:
        thread.join()

    assert failures == []
    with store.transaction() as tx:
        found = tx.intel.versions_of(
            [version().stix_id, "malware--00000000-0000-4000-8000-000000000002"]
        )
    assert sorted(row.seq for rows in found.values() for row in rows) == [1, 2]
