"""The outbox on both databases: one notification per key, one delivery per notification and
channel (unique indexes), claims that exactly one of two workers wins, dead letters that
re-drive once, and requests for assistance that keep their first times."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from shieldwall.model.assistance import Need, NewRequest, OfferStatus, RequestStatus, Urgency
from shieldwall.model.errors import ConflictError
from shieldwall.model.identity import Organisation, OrgKind
from shieldwall.model.notification import Channel, ChannelType, DeliveryStatus, NewNotification
from shieldwall.model.sharing import TlpLevel
from shieldwall.store.sql.store import SqlStore
from tests.contract.store.conftest import OpenStore

CHANNEL = Channel("c-1", "alpha", ChannelType.WEBHOOK, "https://a.example/", TlpLevel.AMBER)


def note(key: str = "alpha:1") -> NewNotification:
    return NewNotification(
        org_id="alpha", sender="p", event_kind="k", subject="s", body="b",
        tlp=TlpLevel.GREEN, idempotency_key=key, recipient_org_ids=frozenset({"bravo"}),
    )  # fmt: skip


@pytest.fixture
def seeded(store: SqlStore) -> SqlStore:
    with store.transaction() as tx:
        tx.organisations.add(Organisation("alpha", "Alpha", OrgKind.NATION, "FR"))
        tx.notifications.add_channel(CHANNEL, "key" * 12)
    return store


def test_a_key_stores_one_notification_and_one_delivery_per_channel(seeded: SqlStore) -> None:
    with seeded.transaction() as tx:
        first, created = tx.notifications.add(note())
        again, created_again = tx.notifications.add(note())
        assert (created, created_again, again.id) == (True, False, first.id)
        assert again.recipient_org_ids == frozenset({"bravo"}) and again.releasable_to is None
        queued = tx.notifications.enqueue(
            first.id, CHANNEL, "alpha:1@c-1", DeliveryStatus.PENDING, ""
        )
        queued_again = tx.notifications.enqueue(
            first.id, CHANNEL, "other", DeliveryStatus.PENDING, ""
        )
        assert (queued, queued_again) == (True, False)
        assert len(tx.notifications.of_notification(first.id)) == 1
        assert tx.notifications.channel_secret("c-1") == "key" * 12


def test_of_two_workers_one_claims(seeded: SqlStore, open_store: OpenStore) -> None:
    with seeded.transaction() as tx:
        stored, _ = tx.notifications.add(note())
        tx.notifications.enqueue(stored.id, CHANNEL, "k@c-1", DeliveryStatus.PENDING, "")
        (due,) = tx.notifications.due(stored.created_at + timedelta(seconds=1), 10)
    stores = [seeded, open_store()]
    wins: list[bool] = []
    barrier = threading.Barrier(2)

    def claim(store: SqlStore) -> None:
        barrier.wait()
        with store.transaction() as tx:
            wins.append(
                tx.notifications.claim(due.id, 0, due.next_attempt_at + timedelta(minutes=1))
            )

    threads = [threading.Thread(target=claim, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(wins) == [False, True]
    with seeded.transaction() as tx:
        tx.notifications.finish(due.id, DeliveryStatus.DEAD, due.next_attempt_at, "HTTP 500")
        assert tx.notifications.redrive(due.id) and not tx.notifications.redrive(due.id)
        back = tx.notifications.delivery(due.id)
    assert back is not None and (back.status, back.attempts) == (DeliveryStatus.PENDING, 0)


def test_a_delivery_key_is_unique_across_notifications(seeded: SqlStore) -> None:
    with pytest.raises(ConflictError), seeded.transaction() as tx:
        one, _ = tx.notifications.add(note("alpha:1"))
        two, _ = tx.notifications.add(note("alpha:2"))
        tx.notifications.enqueue(one.id, CHANNEL, "same", DeliveryStatus.PENDING, "")
        tx.connection.execute(
            text(
                "INSERT INTO notify_deliveries (key, notification_id, channel_id, org_id, status,"
                " attempts, next_attempt_at, reason, last_error, updated_at) VALUES ('same', :n,"
                " 'c-1', 'alpha', 'pending', 0, '2026-01-01', '', '', '2026-01-01')"
            ),
            {"n": two.id},
        )


def test_requests_keep_their_first_offer_and_acceptance_times(seeded: SqlStore) -> None:
    new = NewRequest(
        org_id="alpha", requester="p", title="t", description="d",
        needs=(Need.FORENSICS, Need.CAPACITY), urgency=Urgency.HIGH, tlp=TlpLevel.AMBER,
        recipient_org_ids=frozenset({"centre"}),
    )  # fmt: skip
    with seeded.transaction() as tx:
        request = tx.assistance.add(new)
        offer = tx.assistance.add_offer(request.id, "alpha", "p", Need.FORENSICS, "help")
        tx.assistance.mark(request.id, "first_offer_at")
        tx.assistance.set_offer_status(offer.id, OfferStatus.ACCEPTED)
        tx.assistance.record(request.id, "p", "alpha", "offered", {"offer": offer.id})
    with seeded.transaction() as tx:
        first = tx.assistance.get(request.id)
        tx.assistance.mark(request.id, "first_offer_at")  # a second offer changes nothing
        tx.assistance.set_status(request.id, RequestStatus.CLOSED, "done")
        later = tx.assistance.get(request.id)
        (event,) = tx.assistance.history(request.id)
    assert first is not None and later is not None
    assert later.first_offer_at == first.first_offer_at is not None
    assert later.needs == (Need.FORENSICS, Need.CAPACITY)
    assert (later.status, later.close_reason) == (RequestStatus.CLOSED, "done")
    assert later.recipient_org_ids == frozenset({"centre"})
    assert event.detail == {"offer": offer.id}
