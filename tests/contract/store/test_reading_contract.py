"""Read-only units (issue 9, item 3): no writer blocks them, and they write nothing.

A member's heavy write must not stall the others' reads: ``Store.reading()`` is the path
reads take. On both databases a reader completes while a writer holds its transaction
open, sees what was committed before, and a write attempted inside it is refused.
"""

from __future__ import annotations

import threading

import pytest

from shieldwall.model.errors import StoreError
from shieldwall.store.sql.store import SqlStore
from tests.contract.store.values import org

HOLD_LIMIT_SECONDS = 30.0
"""How long the writer waits to be released; released earlier unless a read blocked."""


def test_a_reader_is_not_blocked_by_an_open_writer(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.organisations.add(org("before"))
    started, release = threading.Event(), threading.Event()
    released_in_time: list[bool] = []

    def writer() -> None:
        with store.transaction() as tx:
            tx.organisations.add(org("during"))
            started.set()
            released_in_time.append(release.wait(HOLD_LIMIT_SECONDS))

    thread = threading.Thread(target=writer)
    thread.start()
    assert started.wait(HOLD_LIMIT_SECONDS)
    with store.reading() as tx:
        seen = [o.id for o in tx.organisations.list()]
    release.set()
    thread.join()
    assert released_in_time == [True]  # the read finished while the writer still held on
    assert seen == ["before"]
    with store.reading() as tx:
        assert sorted(o.id for o in tx.organisations.list()) == ["before", "during"]


def test_a_write_in_a_reading_unit_is_refused_and_leaves_nothing(store: SqlStore) -> None:
    with pytest.raises(StoreError), store.reading() as tx:
        tx.organisations.add(org("sneaked"))
    with store.transaction() as tx:
        assert tx.organisations.list() == []
        tx.organisations.add(org("after"))  # the pooled connection writes again
    with store.reading() as tx:
        assert [o.id for o in tx.organisations.list()] == ["after"]
