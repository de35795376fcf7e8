"""Watchlist entries: through the gate, current versions only, every pattern kind."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shieldwall.model.errors import NotFoundError
from shieldwall.share import last_change, watch_entries
from shieldwall.share.intel.watch import entries_of
from shieldwall.store.sql.store import SqlStore
from tests.unit.share.intel_world import Session, indicator

NOW = datetime(2026, 12, 7, tzinfo=UTC)


def values(store: SqlStore, org: str) -> set[str]:
    return {entry.value for entry in watch_entries(store, org, NOW).entries}


def test_a_member_gets_what_the_gate_lets_it_see_as_an_organisation(
    intel_store: SqlStore, alpha: Session
) -> None:
    before = last_change(intel_store)
    alpha.publish(
        [
            indicator("alpha", value="10.0.0.1"),
            indicator("alpha", tlp="red", value="10.0.0.2"),
            indicator("alpha", tlp="strict", value="10.0.0.3"),
        ]
    )
    assert last_change(intel_store) > before
    assert values(intel_store, "bravo") == {"10.0.0.1"}
    assert values(intel_store, "alpha") == {"10.0.0.1", "10.0.0.3"}  # RED: people only
    with pytest.raises(NotFoundError):
        watch_entries(intel_store, "nobody")


def test_revoked_and_expired_indicators_give_no_entry(
    intel_store: SqlStore, alpha: Session
) -> None:
    first = indicator("alpha", value="10.0.0.1")
    later = indicator("alpha", value="10.0.0.2", valid_until="2026-12-08T00:00:00Z")
    gone = indicator("alpha", value="10.0.0.3", valid_until="2026-12-01T00:00:00Z")
    alpha.publish([first, later, gone])
    found = watch_entries(intel_store, "bravo", NOW)
    assert {e.value for e in found.entries} == {"10.0.0.1", "10.0.0.2"}
    assert found.next_expiry == datetime(2026, 12, 8, tzinfo=UTC)
    before = last_change(intel_store)
    alpha.publish([{**first, "modified": "2024-01-02T00:00:00.000Z", "revoked": True}])
    assert last_change(intel_store) > before
    assert values(intel_store, "bravo") == {"10.0.0.2"}


def test_every_kind_of_comparison_and_the_level() -> None:
    pattern = (
        "[domain-name:value = 'Evil.Example'] OR [file:hashes.'SHA-256' = '"
        + "a" * 64
        + "'] OR [file:name = 'evil.exe'] OR [url:value = 'http://e.example/x']"
        " OR [email-addr:value = 'b@e.example'] OR [ipv4-addr:value ISSUBSET '10.0.0.0/8']"
        " OR [network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'"
        " = 'EvilBot/1.0']"
    )
    obj = indicator("alpha", pattern=pattern, x_shieldwall_level="HIGH")
    found = {(e.kind, e.value) for e in entries_of(obj)}
    assert found == {
        ("domain", "evil.example"),
        ("sha256", "a" * 64),
        ("file-name", "evil.exe"),
        ("url", "http://e.example/x"),
        ("email", "b@e.example"),
        ("ip", "10.0.0.0/8"),
        ("user-agent", "EvilBot/1.0"),
    }
    assert {e.level for e in entries_of(obj)} == {"high"}
    assert {e.level for e in entries_of(indicator("alpha", x_shieldwall_level="loud"))} == {
        "medium"
    }
    assert entries_of(indicator("alpha", pattern_type="sigma", pattern="x")) == []


def test_a_watchlist_read_of_strict_indicators_is_audited(
    intel_store: SqlStore, alpha: Session
) -> None:
    """Read in a read-only transaction, audited in a short write one right after."""
    secret = indicator("alpha", tlp="strict", value="10.6.6.6")
    alpha.publish([secret])
    assert "10.6.6.6" in values(intel_store, "alpha")
    with intel_store.transaction() as tx:
        entries = [e for e in tx.audit.entries() if e.action == "intel.read-restricted"]
    assert entries and entries[-1].org_id == "alpha"
    assert secret["id"] in entries[-1].detail
