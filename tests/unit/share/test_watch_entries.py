"""Watchlist entries: through the gate, current versions only, every pattern kind."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from math import log2
from typing import Any

import pytest

from shieldwall.model.errors import NotFoundError
from shieldwall.share import last_change, watch_entries
from shieldwall.share.intel.identity import identity_id
from shieldwall.share.intel.watch import entries_of
from shieldwall.store.sql.store import SqlStore
from tests.unit.share import intel_world
from tests.unit.share.intel_world import Session, recent

FIRST = recent(2)
LATER = recent(1)
"""Versions of this module's indicators: recent, so none has decayed (see ``recent``)."""


def indicator(org: str, **extra: Any) -> dict[str, Any]:
    """:func:`intel_world.indicator`, modified ``FIRST``."""
    return intel_world.indicator(org, **{"modified": FIRST, **extra})


NOW = datetime.now(UTC).replace(microsecond=0)


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
    ahead = NOW + timedelta(days=1)
    later = indicator("alpha", value="10.0.0.2", valid_until=ahead.strftime("%Y-%m-%dT%H:%M:%SZ"))
    gone = indicator("alpha", value="10.0.0.3", valid_until=recent(1, NOW)[:19] + "Z")
    alpha.publish([first, later, gone])
    found = watch_entries(intel_store, "bravo", NOW)
    assert {e.value for e in found.entries} == {"10.0.0.1", "10.0.0.2"}
    assert found.next_expiry == ahead
    before = last_change(intel_store)
    alpha.publish([{**first, "modified": LATER, "revoked": True}])
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


def test_a_decayed_indicator_gives_no_entry_until_a_sighting_renews_it(
    intel_store: SqlStore, alpha: Session, bravo: Session
) -> None:
    """IP indicators of confidence 50 decay below the threshold 30 × log2(50 / 20) ≈ 39.7
    days after their version (share/intel/scoring.py); a sighting the member may count
    moves the reference to its ``last_seen``."""
    stale = indicator("alpha", value="10.0.0.4", modified=recent(45, NOW))
    fresh = indicator("alpha", value="10.0.0.5", modified=recent(10, NOW))
    alpha.publish([stale, fresh])
    found = watch_entries(intel_store, "bravo", NOW)
    assert {e.value for e in found.entries} == {"10.0.0.5"}
    decays = datetime.fromisoformat(recent(10, NOW)) + timedelta(days=30 * log2(50 / 20))
    assert abs((found.expiries[fresh["id"]] - decays).total_seconds()) < 1
    assert found.next_expiry == found.expiries[fresh["id"]]

    bravo.publish([sighting("bravo", stale["id"], last_seen=recent(1, NOW))])
    assert values(intel_store, "bravo") == {"10.0.0.4", "10.0.0.5"}
    # counted by every member that sees the indicator, as its search score is (anonymised)
    assert values(intel_store, "charlie") == {"10.0.0.4", "10.0.0.5"}


def sighting(org: str, target: str, *, last_seen: str) -> dict[str, Any]:
    return {
        "type": "sighting",
        "spec_version": "2.1",
        "id": f"sighting--{uuid.uuid4()}",
        "created": last_seen,
        "modified": last_seen,
        "created_by_ref": identity_id(org),
        "sighting_of_ref": target,
        "first_seen": last_seen,
        "last_seen": last_seen,
        "count": 1,
    }
