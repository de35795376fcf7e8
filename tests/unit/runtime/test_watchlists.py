"""The watchlist provider: rebuilt when indicators change or expire, not otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from math import log2
from pathlib import Path
from typing import Any

import pytest

import shieldwall.share
from shieldwall.runtime import Watchlists
from shieldwall.store.sql.store import SqlStore
from tests.unit.share import intel_world
from tests.unit.share.intel_world import Session, open_store, recent

FIRST = recent(2)
LATER = recent(1)
"""Versions of this module's indicators: recent, so none has decayed (see ``recent``)."""


def indicator(org: str, **extra: Any) -> dict[str, Any]:
    """:func:`intel_world.indicator`, modified ``FIRST``."""
    return intel_world.indicator(org, **{"modified": FIRST, **extra})


START = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def store(tmp_path: Path, database_url: str) -> Iterator[SqlStore]:
    """On SQLite and (marked ``postgres``) on PostgreSQL."""
    opened = open_store(tmp_path, database_url)
    yield opened
    opened.close()


def test_an_expired_indicator_leaves_at_its_valid_until(store: SqlStore) -> None:
    now = [START]
    watchlists = Watchlists(store, clock=lambda: now[0], full_every=3600)
    Session(store, "p-alpha").publish(
        [indicator("alpha", value="10.9.9.9", valid_until=stamp(START + timedelta(hours=1)))]
    )
    assert watchlists.refresh()
    matcher = watchlists("bravo")
    assert matcher is not None and matcher.observe("ip", "10.9.9.9")
    now[0] = START + timedelta(minutes=59)
    assert not watchlists.refresh()  # nothing changed, nothing expired
    now[0] = START + timedelta(hours=1)
    assert watchlists.refresh() and watchlists("bravo") is None
    assert (watchlists.builds, watchlists.updates) == (1, 1)  # that indicator read alone


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_sighting_or_other_object_does_not_rebuild(store: SqlStore) -> None:
    watchlists = Watchlists(store, full_every=3600)
    Session(store, "p-alpha").publish([indicator("alpha", value="10.9.9.8")])
    assert watchlists.refresh()
    result = Session(store, "p-alpha").publish(
        [
            {
                "type": "ipv4-addr",
                "spec_version": "2.1",
                "id": "ipv4-addr--7a0b0f6c-4b8f-5f63-9a4d-0d7a1f0c2b11",
                "value": "10.9.9.7",
            }
        ]
    )
    assert not result.failures and result.stored
    assert not watchlists.refresh() and watchlists.size == 3  # alpha, bravo, charlie


def test_a_failed_build_keeps_the_previous_watchlists(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    watchlists = Watchlists(store, full_every=3600)
    alpha = Session(store, "p-alpha")
    alpha.publish([indicator("alpha", value="10.9.9.6")])
    watchlists.refresh()
    before = watchlists("bravo")

    def broken(*_: object, **__: object) -> None:
        raise OSError("database gone")

    monkeypatch.setattr(shieldwall.share, "watch_sets", broken)
    alpha.publish([indicator("alpha", value="10.9.9.5")])  # a rebuild is due
    watchlists.refresh_or_log()
    assert watchlists("bravo") is before is not None and watchlists.updates == 0
    monkeypatch.undo()
    watchlists.refresh_or_log()  # the next poll tries again
    matcher = watchlists("bravo")
    assert watchlists.updates == 1 and matcher is not None and matcher.observe("ip", "10.9.9.5")
    assert matcher.observe("ip", "10.9.9.6") and watchlists.builds == 1


def test_a_change_reads_only_the_changed_indicators(store: SqlStore) -> None:
    watchlists = Watchlists(store, full_every=3600)
    alpha = Session(store, "p-alpha")
    kept, narrowed = indicator("alpha", value="10.1.1.1"), indicator("alpha", value="10.1.1.2")
    alpha.publish([kept, narrowed])
    watchlists.refresh()
    strict = indicator("alpha", tlp="strict")["object_marking_refs"]
    alpha.publish(
        [
            {**narrowed, "modified": LATER, "object_marking_refs": strict},
            indicator("alpha", value="10.1.1.3"),
        ]
    )
    assert watchlists.refresh() and watchlists.builds == 1 and watchlists.updates == 1
    bravo, own = watchlists("bravo"), watchlists("alpha")
    assert bravo is not None and own is not None
    assert [bool(bravo.observe("ip", f"10.1.1.{i}")) for i in (1, 2, 3)] == [True, False, True]
    assert [bool(own.observe("ip", f"10.1.1.{i}")) for i in (1, 2, 3)] == [True, True, True]


def test_a_member_that_joins_later_is_watched_at_the_next_poll(store: SqlStore) -> None:
    """The detect worker starts before members exist (a new centre, the demo): a member
    added afterwards must not wait for the next full build to be protected."""
    from shieldwall.model.identity import Organisation, OrgKind

    watchlists = Watchlists(store, full_every=3600)
    Session(store, "p-alpha").publish([indicator("alpha", value="10.9.9.6")])
    assert watchlists.refresh() and watchlists("delta") is None
    with store.transaction() as tx:
        tx.organisations.add(Organisation("delta", "Delta", OrgKind.CIVIL, "NL"))
    assert watchlists.refresh()
    matcher = watchlists("delta")
    assert matcher is not None and matcher.observe("ip", "10.9.9.6")
    assert not watchlists.refresh()  # the same members again: nothing to do


def test_a_community_change_is_watched_at_the_next_poll(store: SqlStore) -> None:
    """The gate reads the directory, whose changes take no intelligence number: a member
    put into a community sees its indicators at the next poll, not at the next periodic
    full build; one taken out stops seeing them as soon."""
    from dataclasses import replace

    from shieldwall.share.intel.audience import Addressing
    from tests.unit.share.intel_world import ENERGY

    watchlists = Watchlists(store, full_every=3600)
    energy = Addressing(community_ids=frozenset({"energy"}))
    Session(store, "p-bravo").publish([indicator("bravo", value="10.7.7.7")], energy)
    assert watchlists.refresh() and watchlists("alpha") is None  # alpha: not in energy
    with store.transaction() as tx:
        tx.communities.update(replace(ENERGY, members=frozenset({"alpha"})))
    assert watchlists.refresh() and watchlists.builds == 2
    matcher = watchlists("alpha")
    assert matcher is not None and matcher.observe("ip", "10.7.7.7")
    assert not watchlists.refresh()  # the same directory again: nothing to do
    with store.transaction() as tx:
        tx.communities.update(ENERGY)
    assert watchlists.refresh() and watchlists("alpha") is None


def test_a_revised_matcher_follows_publish_and_revoke(store: SqlStore) -> None:
    """Changes after the full build revise the matchers: the new indicator matches, the
    revoked one stops, the untouched one still matches, and no full build is made."""
    watchlists = Watchlists(store, full_every=3600)
    alpha = Session(store, "p-alpha")
    kept, later = indicator("alpha", value="10.3.3.1"), indicator("alpha", value="10.3.3.2")
    alpha.publish([kept])
    watchlists.refresh()
    alpha.publish([later])
    assert watchlists.refresh()
    alpha.publish([{**kept, "modified": LATER, "revoked": True}])
    assert watchlists.refresh() and watchlists.builds == 1 and watchlists.updates == 2
    bravo = watchlists("bravo")
    assert bravo is not None and len(bravo) == 1
    assert not bravo.observe("ip", "10.3.3.1") and bravo.observe("ip", "10.3.3.2")


def test_an_update_failing_half_way_leaves_nothing_half_done(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read of the changed indicators (every member's at once) fails: the next poll
    starts over from the entries the served matchers hold, so the old value of a changed
    indicator is taken out."""
    watchlists = Watchlists(store, full_every=3600)
    alpha = Session(store, "p-alpha")
    first = indicator("alpha", value="10.4.4.1")
    alpha.publish([first])
    watchlists.refresh()
    alpha.publish(
        [
            {
                **first,
                "modified": LATER,
                "pattern": "[ipv4-addr:value = '10.4.4.2']",
            }
        ]
    )

    def flaky(*_: object, **__: object) -> object:
        raise OSError("database gone")

    monkeypatch.setattr(shieldwall.share, "watch_sets", flaky)
    watchlists.refresh_or_log()
    monkeypatch.undo()
    watchlists.refresh_or_log()
    own = watchlists("alpha")
    assert own is not None and watchlists.updates == 1
    assert not own.observe("ip", "10.4.4.1") and own.observe("ip", "10.4.4.2")


def test_a_decayed_indicator_leaves_at_its_instant_without_a_full_build(store: SqlStore) -> None:
    """An IP indicator of confidence 50 decays 30 × log2(50 / 20) days after its version."""
    version = START - timedelta(days=39)
    decays = version + timedelta(days=30 * log2(50 / 20))
    now = [START]
    watchlists = Watchlists(store, clock=lambda: now[0], full_every=3600)
    aging = indicator("alpha", value="10.9.8.1", modified=stamp(version))
    Session(store, "p-alpha").publish([aging, indicator("alpha", value="10.9.8.2")])
    assert watchlists.refresh()
    assert watchlists.next_expiry is not None
    assert abs((watchlists.next_expiry - decays).total_seconds()) < 1
    matcher = watchlists("bravo")
    assert matcher is not None and matcher.observe("ip", "10.9.8.1")
    now[0] = decays - timedelta(seconds=1)
    assert not watchlists.refresh()
    now[0] = decays + timedelta(seconds=1)
    assert watchlists.refresh()
    matcher = watchlists("bravo")
    assert matcher is not None and not matcher.observe("ip", "10.9.8.1")
    assert matcher.observe("ip", "10.9.8.2")
    assert (watchlists.builds, watchlists.updates) == (1, 1)
