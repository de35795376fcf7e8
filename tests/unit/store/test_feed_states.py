"""The SQL repository of pulled TAXII feeds' state, and its audit entry per save."""

from __future__ import annotations

from datetime import UTC, datetime

from shieldwall.share.taxii_client.state import SYSTEM_PRINCIPAL, StoreFeedStates
from shieldwall.store.protocols import FeedState
from shieldwall.store.sql.store import SqlStore

RUN_AT = datetime(2025, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)


def test_state_round_trips_with_microseconds_and_is_replaced_on_save(store: SqlStore) -> None:
    first = FeedState(
        name="cert-eu",
        added_after="2025-03-01T12:00:00.123456Z",
        last_run_at=RUN_AT,
        last_success_at=RUN_AT,
        objects_total=7,
        runs=1,
    )
    with store.transaction() as tx:
        assert tx.feeds.get("cert-eu") is None
        tx.feeds.save(first)
    second = FeedState(name="cert-eu", added_after=None, last_error="HTTP 500", runs=2)
    with store.transaction() as tx:
        assert tx.feeds.get("cert-eu") == first
        tx.feeds.save(second)
        tx.feeds.save(FeedState(name="another"))
    with store.transaction() as tx:
        assert tx.feeds.get("cert-eu") == second
        assert [state.name for state in tx.feeds.list()] == ["another", "cert-eu"]


def test_each_save_through_the_client_appends_one_audit_entry(store: SqlStore) -> None:
    states = StoreFeedStates(store)
    fresh = states.load("partner")
    assert fresh == FeedState(name="partner")
    states.save(FeedState(name="partner", runs=1), detail="pages=2 complete", ok=True)
    states.save(FeedState(name="partner", runs=2, last_error="x"), detail="HTTP 500", ok=False)
    with store.transaction() as tx:
        entries = [e for e in tx.audit.entries() if e.action == "feed.pull"]
    assert [(e.principal, e.object_id, e.outcome.value, e.detail) for e in entries] == [
        (SYSTEM_PRINCIPAL, "partner", "success", "pages=2 complete"),
        (SYSTEM_PRINCIPAL, "partner", "failed", "HTTP 500"),
    ]
    assert states.load("partner").runs == 2
