"""Cases on both databases: one case per incident (the unique index is the idempotency
key), shares upserted and removed, items of every kind round-trip, evidence bytes kept
once per SHA-256, the timeline in order, overdue queries, handovers; and a failed write
leaves nothing half-written."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest

from shieldwall.model.case import CaseItem, CaseShare, CaseStatus, ItemKind, TaskStatus
from shieldwall.model.errors import ConflictError
from shieldwall.model.identity import OrgKind, Person, Principal, Role
from shieldwall.model.sharing import TlpLevel
from shieldwall.respond import CaseDesk
from shieldwall.store.sql.store import SqlStore
from tests.contract.store.values import org

T0 = datetime(2026, 12, 7, 8, 0, 0, 123456, tzinfo=UTC)


def seeded(store: SqlStore) -> int:
    with store.transaction() as tx:
        tx.organisations.add(org("alpha", "Alpha"))
        tx.organisations.add(org("bravo", "Bravo"))
        incident = tx.incidents.open("alpha", "evil", "high", "alpha:1")
        return tx.cases.open(
            incident_id=incident,
            org_id="alpha",
            opened_org="alpha",
            opened_by="p-1",
            title="evil",
            severity="high",
            due_at=T0 + timedelta(hours=4),
        )


def item(case_id: int, number: int, kind: ItemKind = ItemKind.COMMENT, **extra: object) -> CaseItem:
    values: dict[str, object] = {
        "id": f"00000000-0000-4000-8000-{number:012d}",
        "case_id": case_id,
        "kind": kind,
        "org_id": "alpha",
        "author": "p-1",
        "tlp": TlpLevel.AMBER,
        "body": f"item {number}",
        "created_at": T0 + timedelta(seconds=number),
        "updated_at": T0 + timedelta(seconds=number),
        **extra,
    }
    return CaseItem(**values)  # type: ignore[arg-type]


def test_one_case_per_incident(store: SqlStore) -> None:
    case_id = seeded(store)
    with store.reading() as tx:
        case = tx.cases.get(case_id)
        assert case is not None
        assert (case.status, case.due_at, case.org_id) == (
            CaseStatus.NEW,
            T0 + timedelta(hours=4),
            "alpha",
        )
        assert tx.cases.of_incident(case.incident_id) == case
    with pytest.raises(ConflictError), store.transaction() as tx:
        tx.cases.open(
            incident_id=case.incident_id,
            org_id="alpha",
            opened_org="alpha",
            opened_by="p-2",
            title="again",
            severity="high",
            due_at=T0,
        )
    with store.reading() as tx:
        assert [c.id for c in tx.cases.page(None, status=None, after=0, limit=10)] == [case_id]


def test_shares_items_blobs_and_timeline_round_trip(store: SqlStore) -> None:
    case_id = seeded(store)
    content = b"\x00\x01evidence\xff"
    digest = hashlib.sha256(content).hexdigest()
    task = item(case_id, 1, ItemKind.TASK, owner="p-1", due_at=T0, status=TaskStatus.OPEN)
    evidence = item(
        case_id, 2, ItemKind.EVIDENCE, sha256=digest, size=len(content), media_type="application/x"
    )
    with store.transaction() as tx:
        tx.cases.share(
            CaseShare(
                case_id=case_id, org_id="bravo", max_tlp=TlpLevel.GREEN, shared_by="p-1", at=T0
            )
        )
        tx.cases.share(
            CaseShare(
                case_id=case_id, org_id="bravo", max_tlp=TlpLevel.AMBER, shared_by="p-1", at=T0
            )
        )
        assert tx.cases.put_blob(digest, content) is True
        assert tx.cases.put_blob(digest, content) is False  # content-addressed: kept once
        for each in (task, evidence, item(case_id, 3, ItemKind.OBSERVABLE, observable_type="ip")):
            tx.cases.add_item(each)
        for action in ("opened", "add", "share"):
            tx.cases.record(
                case_id,
                actor="p-1",
                org_id="alpha",
                action=action,
                item_id=None,
                owners_only=action == "share",
                detail={"a": action},
            )
    with store.reading() as tx:
        assert [(s.org_id, s.max_tlp) for s in tx.cases.shares(case_id)] == [
            ("bravo", TlpLevel.AMBER)
        ]
        assert [c.id for c in tx.cases.page("bravo", status=None, after=0, limit=10)] == [case_id]
        assert tx.cases.items(case_id)[:2] == [task, evidence]
        assert tx.cases.blob(digest) == content
        assert [(e.action, e.owners_only) for e in tx.cases.timeline(case_id)] == [
            ("opened", False),
            ("add", False),
            ("share", True),
        ]
        assert [t.id for t in tx.cases.overdue_tasks(T0 + timedelta(seconds=1), 10)] == [task.id]
        assert tx.cases.overdue_cases(T0 + timedelta(hours=5), 10)[0].id == case_id
    with store.transaction() as tx:
        tx.cases.set_task_status(task.id, TaskStatus.DONE)
        assert tx.cases.unshare(case_id, "bravo") is True
        assert tx.cases.unshare(case_id, "bravo") is False
        tx.cases.set_status(case_id, CaseStatus.CLOSED, "done")
        tx.cases.assign(case_id, "p-1", "night")
    with store.reading() as tx:
        assert tx.cases.overdue_tasks(T0 + timedelta(days=1), 10) == []
        assert tx.cases.overdue_cases(T0 + timedelta(days=1), 10) == []
        assert tx.cases.page("bravo", status=None, after=0, limit=10) == []
        case = tx.cases.get(case_id)
        assert case is not None and (case.close_reason, case.assignee, case.shift) == (
            "done",
            "p-1",
            "night",
        )


def test_a_failed_write_leaves_nothing(store: SqlStore) -> None:
    case_id = seeded(store)
    with pytest.raises(ConflictError), store.transaction() as tx:
        tx.cases.add_item(item(case_id, 1))
        tx.cases.record(
            case_id,
            actor="p-1",
            org_id="alpha",
            action="add",
            item_id=item(case_id, 1).id,
            owners_only=False,
            detail={},
        )
        tx.cases.add_item(item(case_id, 1))  # same id: the primary key refuses
    with store.reading() as tx:
        assert tx.cases.items(case_id) == [] and tx.cases.timeline(case_id) == []


def test_handovers_remember_the_last_one_per_organisation(store: SqlStore) -> None:
    seeded(store)
    with store.transaction() as tx:
        tx.handovers.take("alpha", "p-1", 1, {"1": "high"})
        tx.handovers.take("alpha", "p-2", 3, {"1": "critical", "3": "low"})
    with store.reading() as tx:
        last = tx.handovers.last("alpha")
        assert last is not None
        assert (last.taken_by, last.last_incident_id, last.severities) == (
            "p-2",
            3,
            {"1": "critical", "3": "low"},
        )
        assert tx.handovers.last("bravo") is None


def test_opening_one_incident_at_once_from_two_places_makes_one_case(store: SqlStore) -> None:
    """The unique index is the idempotency key: racing openers both get the one case."""
    case_id = seeded(store)
    with store.transaction() as tx:
        incident = tx.incidents.open("alpha", "second", "low", "alpha:2")
        tx.people.add(Person("p-1", "alpha", "A", "a@alpha.example", Role.ANALYST), None)
    who = Principal("p-1", "alpha", Role.ANALYST, OrgKind.NATION)
    desk = CaseDesk(store)
    results: list[int] = []
    barrier = threading.Barrier(4)

    def open_it() -> None:
        barrier.wait()
        results.append(desk.open(who, incident).case.id)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and len(set(results)) == 1 and results[0] != case_id
    with store.reading() as tx:
        assert len(tx.cases.page(None, status=None, after=0, limit=10)) == 2
        assert [e.action for e in tx.cases.timeline(results[0])] == ["opened"]
