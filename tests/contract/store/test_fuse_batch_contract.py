"""The fuse worker's batches on both databases: the same hits fused in batches of any size
leave exactly the rows fusing them one per transaction leaves.

A batch's transaction remembers which incident holds each alert, the link rows
``linked`` read and each incident's counts (written once per batch). A merge must move
what it remembers of the absorbed incident over to the survivor, and counts must be
written before anything reads or merges them. The partition property
(``test_incidents_contract``) does not see those faults: the groups come out right while
a hit is counted on a closed incident or a link row is thinned against the wrong one.
So here every row fusion writes is compared (incidents with their counts, severity,
times, status and ``merged_into``; which alerts each holds; what ``linked`` answers for
every link at every minute; the histories; the campaign links; the claimed keys), the
hits chosen so that incidents merge often and alerts repeat, also after their incident
was merged earlier in the same batch. Both runs fuse the hits in the same order (a batch
fuses member by member), so the rows match one for one, ids aside. The hit that bridges
two incidents thins its link times against the rows ``linked`` read before the merge,
even alone in its transaction: the reference run thins from a read of its own instead.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, select

from shieldwall.bus.protocol import Delivery
from shieldwall.fuse import CampaignRules, GroupingRules
from shieldwall.live import FuseWorker
from shieldwall.live.wire import ALERTS_SUBJECT, encode_hits
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.incident import IncidentStatus
from shieldwall.store.sql.incidents import SqlIncidents
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import (
    alert_hits,
    alerts,
    campaign_links,
    campaigns,
    fuse_applied,
    incident_alerts,
    incident_history,
    incident_links,
    incidents,
)
from tests.contract.store.values import org

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
WINDOW = 10
"""The grouping window in minutes: hits over 0..60 minutes link often, not always, and a
hit bridging two incidents often meets several times of one link in the one it absorbs
(the rows the merge hands over, which its own thinning must count)."""
RULES = GroupingRules(window=timedelta(minutes=WINDOW))
MEMBERS = ("m0", "m1", "m2")
LEVELS = ("low", "medium", "high", "critical")
TECHNIQUES = ("T1566", "T1204", "T1059")
"""One per alert, three in all: every chain (three long) holds every technique, so a
hit noting its chains notes every chain its incident holds, whatever batch it is in."""
FUSION_TABLES = (
    incident_history,
    campaign_links,
    campaigns,
    incident_links,
    incident_alerts,
    fuse_applied,
    incidents,
    alert_hits,
    alerts,
)
"""Emptied before each run, children first."""


ENTITIES = (
    "host:ws1",
    "host:ws2",
    "user:eve",
    "user:bob",
    "ip:203.0.113.9",
    "ip:203.0.113.77",
    "ip:198.51.100.7",
    "hash:h1",
)
"""A small pool: each hit names one or two of them, so hits open incidents apart and
later hits bridge them (a merge), and members share the IPs and hashes (campaigns)."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One match: its member, which of the member's few alerts it counts on (its hits
    repeat the alert), the entities it names and its minute."""

    member: int
    alert: int
    entities: frozenset[str]
    minute: int


hits_strategy = st.lists(
    st.builds(
        Hit,
        st.sampled_from([0, 0, 0, 1, 2]),
        st.integers(0, 4),
        st.frozensets(st.sampled_from(ENTITIES), min_size=1, max_size=2),
        st.integers(0, 60),
    ),
    min_size=12,
    max_size=40,
)
batches_strategy = st.lists(
    st.tuples(st.integers(1, 12), st.none() | st.integers(0, 40)), min_size=1, max_size=6
)
"""Batch sizes (cycled) and, for some batches, a hit delivered again at its end."""


KINDS = {"hosts": "host", "users": "user", "ips": "ip", "hashes": "hash"}


def new_alert(number: int, hit: Hit) -> NewAlert:
    member = MEMBERS[hit.member]
    split = [entity.split(":", 1) for entity in hit.entities]
    return NewAlert(
        key=f"{member}:{number:03d}:r{hit.alert}",
        org_id=member,
        rule_id=f"r{hit.alert}",
        rule_title=f"Rule {hit.alert}",
        level=LEVELS[hit.alert % len(LEVELS)],
        tags=(),
        event_time=T0 + timedelta(minutes=hit.minute),
        source=f"ingest:{member}#{number}",
        matched={},
        event={},
        entities=Entities(
            **{
                kind: tuple(sorted(v for k, v in split if k == prefix))
                for kind, prefix in KINDS.items()
            }
        ),
        techniques=(TECHNIQUES[hit.alert % len(TECHNIQUES)],),
        dedup_key=f"{member}:a{hit.alert}",
    )


def batches(
    new: Sequence[NewAlert], plan: Sequence[tuple[int, int | None]]
) -> list[list[Delivery]]:
    """The hits' deliveries cut into batches of the planned sizes, each batch in the order
    the worker fuses it (member, then key), some with an earlier hit delivered again."""
    deliveries = [
        Delivery(ALERTS_SUBJECT, "fuse", n, a.key, encode_hits([(a.key, a.org_id)]), 1)
        for n, a in enumerate(new, 1)
    ]
    cut: list[list[Delivery]] = []
    first = 0
    while first < len(deliveries):
        size, again = plan[len(cut) % len(plan)]
        batch = deliveries[first : first + size]
        first += len(batch)
        if again is not None:
            batch.append(deliveries[again % first])
        cut.append(sorted(batch, key=lambda d: d.key))  # keys start with their member
    return cut


def fused(store: SqlStore, new: Sequence[NewAlert], cut: list[list[Delivery]], *, one: bool) -> Any:
    """Empty the fusion's tables, store the alerts, fuse the batches (or each of their
    hits in a transaction of its own, in the same order); the rows left and the counts."""
    with store.transaction() as tx:
        for table in FUSION_TABLES:
            tx.connection.execute(table.delete())
        tx.alerts.add(new)
    worker = FuseWorker(None, store, RULES, campaigns=CampaignRules())  # type: ignore[arg-type]
    with pytest.MonkeyPatch.context() as patch:
        if one:  # the reference: link rows thinned as read from the database
            patch.setattr(SqlIncidents, "linked", _linked_uncached)
        for batch in cut:
            for part in [[d] for d in batch] if one else [batch]:
                worker.fuse(part)
    with store.engine.connect() as db:
        return dump(db), (worker.counts.hits, worker.counts.repeated)


_LINKED = SqlIncidents.linked


def _linked_uncached(
    self: SqlIncidents, org_id: str, links: Collection[str], start: datetime, end: datetime
) -> set[int]:
    """``linked``, its rows forgotten: ``attach`` thins from a read of its own, so the
    reference run does not share the remembered rows (and their remap on a merge)."""
    found = _LINKED(self, org_id, links, start, end)
    self._near = None
    return found


def dump(db: Connection) -> dict[str, Any]:
    """Every row fusion wrote, incidents named by their rank (ids differ between runs),
    alerts by their dedup key; link rows as ``linked`` answers them."""
    rank = {row.id: n for n, row in enumerate(db.execute(select(incidents.c.id).order_by("id")))}
    named = {row.seq: row.dedup_key for row in db.execute(select(alerts.c.seq, alerts.c.dedup_key))}
    found: dict[str, Any] = {}
    found["incidents"] = [
        (
            rank[row.id],
            row.org_id,
            row.title,
            row.severity,
            row.status,
            re.sub(r"\d+$", lambda m: str(rank[int(m.group())]), row.close_reason or ""),
            None if row.merged_into is None else rank[row.merged_into],
            row.alert_count,
            row.first_seen,
            row.last_seen,
            row.opened_by,
        )
        for row in db.execute(select(incidents).order_by(incidents.c.id))
    ]
    found["alerts"] = sorted(
        (named[row.alert_seq], rank[row.incident_id]) for row in db.execute(select(incident_alerts))
    )
    found["history"] = [
        (rank[row.incident_id], row.actor, row.action, detail(row.detail, rank, named))
        for row in db.execute(select(incident_history).order_by(incident_history.c.id))
    ]
    found["campaigns"] = sorted(
        tuple(row) for row in db.execute(select(campaigns.c.link, campaigns.c.members))
    )
    found["campaign_links"] = sorted(
        (row.link, row.org_id, rank[row.incident_id], row.first_seen)
        for row in db.execute(select(campaign_links))
    )
    found["claimed"] = sorted(
        (row.key, rank.get(row.incident_id)) for row in db.execute(select(fuse_applied))
    )
    found["link_rows"] = sorted(
        (rank[row.incident_id], row.org_id, row.link, row.at)
        for row in db.execute(select(incident_links))
    )
    found["linked"] = linked(db, rank)
    return found


def detail(body: dict[str, Any], rank: dict[int, int], named: dict[int, str]) -> dict[str, Any]:
    renamed: dict[str, dict[int, Any]] = {
        "into": rank,
        "incident": rank,
        "alert": named,
        "by_alert": named,
    }
    return {k: renamed[k][v] if k in renamed else v for k, v in body.items()}


def linked(db: Connection, rank: dict[int, int]) -> dict[tuple[str, str, int], set[int]]:
    """What ``linked`` answers for each member's link at each minute (the hit times are
    whole minutes, so the answers change only at whole minutes): the open incidents
    holding the link within the window."""
    open_ = {
        row.id
        for row in db.execute(select(incidents.c.id, incidents.c.status))
        if row.status != IncidentStatus.CLOSED.value
    }
    rows = list(db.execute(select(incident_links)))
    answers: dict[tuple[str, str, int], set[int]] = {}
    window = timedelta(minutes=WINDOW)
    for minute in range(-WINDOW, 61 + WINDOW):
        at = T0 + timedelta(minutes=minute)
        for row in rows:
            if row.incident_id in open_ and abs(row.at - at) <= window:
                answers.setdefault((row.org_id, row.link, minute), set()).add(rank[row.incident_id])
    return answers


def members(store: SqlStore) -> None:
    with store.transaction() as tx:
        for member in MEMBERS:
            if tx.organisations.get(member) is None:
                tx.organisations.add(org(member))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(hits_strategy, batches_strategy)
def test_hits_fused_in_batches_leave_the_rows_fused_one_by_one_leave(
    store: SqlStore, hits: list[Hit], plan: list[tuple[int, int | None]]
) -> None:
    members(store)
    new = [new_alert(n, hit) for n, hit in enumerate(hits)]
    cut = batches(new, plan)
    (alone, alone_counts), (together, counts) = (
        fused(store, new, cut, one=True),
        fused(store, new, cut, one=False),
    )
    assert differences(together, alone) == {}
    assert counts == alone_counts


def differences(batched: dict[str, Any], alone: dict[str, Any]) -> dict[str, Any]:
    """Per table, the first few rows only the batched run left and only the other did."""
    found = {}
    for table, rows in batched.items():
        if table == "linked":
            ours = {(*key, tuple(sorted(v))) for key, v in rows.items()}
            theirs = {(*key, tuple(sorted(v))) for key, v in alone[table].items()}
        else:
            ours, theirs = set(enumerate(map(repr, rows))), set(enumerate(map(repr, alone[table])))
        if ours != theirs:
            found[table] = (sorted(ours - theirs)[:4], sorted(theirs - ours)[:4])
    return found
