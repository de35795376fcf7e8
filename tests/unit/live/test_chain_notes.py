"""The fuse worker notes technique chains across members, reading an incident's alerts
once per alert (duplicates skip the read) and only remembering what committed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from shieldwall.bus.protocol import Delivery
from shieldwall.fuse import CampaignRules, GroupingRules
from shieldwall.live import FuseWorker
from shieldwall.live.chain_notes import ChainNotes
from shieldwall.live.wire import encode_hits
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.identity import Organisation, OrgKind
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore

T0 = datetime(2026, 12, 1, tzinfo=UTC)
RULES = CampaignRules(chain_length=2)


def open_store(tmp_path: Path) -> SqlStore:
    engine = create_sql_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate.upgrade(engine)
    store = SqlStore(engine, Signer.generate())
    with store.transaction() as tx:
        for org in ("a", "b"):
            tx.organisations.add(Organisation(org, org, OrgKind.NATION, "FR"))
    return store


def store_hit(store: SqlStore, org: str, number: int, technique: str, *, dedup: str = "") -> str:
    new = NewAlert(
        key=f"{org}:{number}:r",
        org_id=org,
        rule_id=technique,
        rule_title=technique,
        level="low",
        tags=(),
        event_time=T0 + timedelta(minutes=number),
        source="s",
        matched={},
        event={},
        entities=Entities(hosts=("ws1",)),
        techniques=(technique,),
        dedup_key=dedup,
    )
    with store.transaction() as tx:
        tx.alerts.add([new])
    return new.key


def delivery(key: str, org: str, number: int) -> Any:
    return Delivery("alerts.raised", "fuse", number, key, encode_hits([(key, org)]), 1, None)


def test_a_chain_at_two_members_is_a_campaign(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    worker = FuseWorker(None, store, GroupingRules(), campaigns=RULES)  # type: ignore[arg-type]
    keys = [
        ("a", store_hit(store, "a", 1, "T1566")),
        ("a", store_hit(store, "a", 2, "T1204")),
        ("b", store_hit(store, "b", 3, "T1566")),
        ("b", store_hit(store, "b", 4, "T1204")),
    ]
    worker.fuse([delivery(key, org, n) for n, (org, key) in enumerate(keys)])
    with store.reading() as tx:
        links = {c.link: len(c.members) for c in tx.campaigns.page(None, after=0, limit=10)}
    assert links == {"chain:T1566>T1204": 2}
    store.close()


def test_a_duplicate_hit_skips_the_read_once_committed(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    notes = ChainNotes(RULES, capacity=1)
    first = store_hit(store, "a", 1, "T1566", dedup="same")
    again = store_hit(store, "a", 2, "T1566", dedup="same")  # counted on the same alert
    with store.transaction() as tx:
        hit, twin = tx.alerts.hit(first), tx.alerts.hit(again)
        assert hit is not None and twin is not None and hit.alert.seq == twin.alert.seq
        noted = notes.note(tx, hit, 7)
        assert noted == (7, hit.alert.seq)
        assert notes.note(tx, twin, 7) == noted  # not remembered before the commit
    notes.remember([noted])
    with store.transaction() as tx:
        assert notes.note(tx, twin, 7) is None  # remembered: no read
        assert notes.note(tx, twin, 8) == (8, hit.alert.seq)  # another incident: read
    notes.remember([(8, hit.alert.seq)])
    with store.transaction() as tx:
        assert notes.note(tx, twin, 7) == noted  # forgotten past the capacity: read again
    store.close()
