"""Webhooks against a real HTTP receiver on 127.0.0.1: signed, retried with backoff, dead
letters kept and re-driven, sent once per key, refused where the guard says no."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest

from shieldwall.model.errors import ConflictError, NotFoundError
from shieldwall.model.notification import ChannelType, DeliveryStatus, Secret
from shieldwall.model.sharing import Addressees, TlpLevel
from shieldwall.respond.notify import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    ChannelRequest,
    DeliveryWorker,
    NotificationDesk,
    WebhookSender,
    channel_json,
    verify,
)
from shieldwall.store.sql.store import SqlStore
from tests.unit.respond.respond_world import KEY, Receiver, receiver, store, who

__all__ = ["receiver", "store"]  # fixtures

DESK_LABS = {"allow_plain_http": True}


def desk(store: SqlStore) -> NotificationDesk:
    return NotificationDesk(store, **DESK_LABS)


def worker(store: SqlStore, *, allow_private: bool = True, **options: float) -> DeliveryWorker:
    sender = WebhookSender(timeout=5, allow_private=allow_private)
    settings = {"max_attempts": 3, "backoff_seconds": 0.01, "backoff_max_seconds": 0.05}
    return DeliveryWorker(store, {ChannelType.WEBHOOK: sender}, **{**settings, **options})  # type: ignore[arg-type]


def alpha_hook(store: SqlStore, url: str, max_tlp: TlpLevel = TlpLevel.AMBER) -> str:
    request = ChannelRequest(
        "alpha", ChannelType.WEBHOOK, url, max_tlp, name="soc", secret=Secret(KEY)
    )
    return desk(store).add_channel(who("alpha-lead"), request).id


def send(store: SqlStore, key: str = "k1", tlp: TlpLevel = TlpLevel.GREEN) -> int:
    receipt = desk(store).notify(
        who("bravo-analyst"),
        "incident.opened",
        "Ransomware at bravo",
        "details",
        tlp,
        Addressees(),
        key,
    )
    return receipt.notification_id


def drain(work: DeliveryWorker, rounds: int = 20) -> None:
    async def go() -> None:
        try:
            for _ in range(rounds):
                await work.run_once()
                await asyncio.sleep(0.06)
        finally:
            await work.close()

    asyncio.run(go())


def test_a_webhook_is_signed_and_the_signature_verifies(
    store: SqlStore, receiver: Receiver
) -> None:
    alpha_hook(store, receiver.url)
    send(store)
    drain(worker(store), rounds=2)
    (got,) = receiver.received
    body = got.json()
    assert (body["subject"], body["tlp"], body["from_org"]) == (
        "Ransomware at bravo",
        "TLP:GREEN",
        "bravo",
    )
    stamp, signature = got.headers[TIMESTAMP_HEADER], got.headers[SIGNATURE_HEADER]
    assert verify(KEY, got.body, stamp, signature, now=time.time())
    assert not verify(KEY, got.body + b" ", stamp, signature, now=time.time())
    assert not verify("another-key" * 4, got.body, stamp, signature, now=time.time())
    assert not verify(KEY, got.body, stamp, signature, now=time.time() + 3600)  # a replay
    assert got.headers[DELIVERY_HEADER] == body["delivery"]


def test_failures_are_retried_with_backoff_until_delivered(
    store: SqlStore, receiver: Receiver
) -> None:
    alpha_hook(store, receiver.url)
    receiver.statuses.extend([500, 503])
    send(store)
    drain(worker(store))
    assert len(receiver.received) == 3
    assert len({r.headers[DELIVERY_HEADER] for r in receiver.received}) == 1
    with store.reading() as tx:
        (delivery,) = tx.notifications.deliveries(None, None, after=0, limit=10)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 3)


def test_a_redirect_is_a_failure_never_followed(store: SqlStore, receiver: Receiver) -> None:
    alpha_hook(store, receiver.url)
    receiver.statuses.extend([302])
    send(store)
    drain(worker(store, max_attempts=1), rounds=1)
    assert len(receiver.received) == 1
    (dead,) = desk(store).deliveries(who("alpha-lead"))
    assert dead.last_error == "the receiver answered HTTP 302"


def test_backoff_doubles_and_is_capped() -> None:
    work = DeliveryWorker(None, {}, backoff_seconds=2, backoff_max_seconds=10)  # type: ignore[arg-type]
    assert [work.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [2, 4, 8, 10, 10]


def test_dead_letters_are_listed_and_redriven(store: SqlStore, receiver: Receiver) -> None:
    alpha_hook(store, receiver.url)
    receiver.statuses.extend([500, 500, 500])
    send(store)
    drain(worker(store))
    assert len(receiver.received) == 3
    (dead,) = desk(store).deliveries(who("alpha-lead"))
    assert (dead.status, dead.last_error) == (DeliveryStatus.DEAD, "the receiver answered HTTP 500")
    assert desk(store).deliveries(who("bravo-lead")) == []
    with pytest.raises(NotFoundError) as hidden:
        desk(store).redrive(who("bravo-lead"), dead.id)
    with pytest.raises(NotFoundError) as absent:
        desk(store).redrive(who("bravo-lead"), dead.id + 1000)
    assert str(hidden.value).replace(str(dead.id), "N") == str(absent.value).replace(
        str(dead.id + 1000), "N"
    )
    again = desk(store).redrive(who("alpha-lead"), dead.id)
    assert (again.status, again.attempts) == (DeliveryStatus.PENDING, 0)
    with pytest.raises(ConflictError):
        desk(store).redrive(who("alpha-lead"), dead.id)
    drain(worker(store), rounds=2)
    assert len(receiver.received) == 4
    assert desk(store).deliveries(who("alpha-lead")) == []
    with store.reading() as tx:
        actions = [entry.action for entry in tx.audit.entries()]
    assert {"notify.dead-letter", "notify.redrive", "notify.send"} <= set(actions)


def test_the_same_key_sends_once(store: SqlStore, receiver: Receiver) -> None:
    alpha_hook(store, receiver.url)
    first, second = send(store, "same"), send(store, "same")
    assert first == second
    drain(worker(store), rounds=2)
    drain(worker(store), rounds=2)
    assert len(receiver.received) == 1


def test_a_worker_that_dies_mid_send_leaves_the_delivery_due_after_its_lease(
    store: SqlStore, receiver: Receiver
) -> None:
    alpha_hook(store, receiver.url)
    send(store)
    now = datetime.now(UTC)
    with store.transaction() as tx:
        (due,) = tx.notifications.due(now, 10)
        assert tx.notifications.claim(due.id, due.attempts, now + timedelta(seconds=60))
        assert not tx.notifications.claim(due.id, due.attempts, now + timedelta(seconds=60))
    drain(worker(store), rounds=1)  # the crashed worker's lease still holds
    assert receiver.received == []
    later = worker(store, lease_seconds=60)
    later._clock = lambda: now + timedelta(seconds=61)  # the lease ran out
    drain(later, rounds=1)
    assert len(receiver.received) == 1


def test_the_guard_refuses_loopback_and_metadata_targets(
    store: SqlStore, receiver: Receiver
) -> None:
    alpha_hook(store, receiver.url)
    alpha_hook(store, "http://169.254.169.254/latest/meta-data")
    send(store)
    drain(worker(store, allow_private=False, max_attempts=1), rounds=1)
    assert receiver.received == []
    errors = {d.last_error for d in desk(store).deliveries(who("alpha-lead"))}
    assert errors == {
        "refused: the receiver resolves to a non-public address",
        "refused: the receiver resolves to a cloud metadata address",
    }
    drain(worker(store, allow_private=True, max_attempts=1), rounds=1)
    assert receiver.received == []  # dead letters wait for a re-drive


def test_secrets_appear_in_no_log_no_error_and_no_answer(
    store: SqlStore, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    channel_id = alpha_hook(store, receiver.url)
    receiver.statuses.extend([500, 500, 500])
    send(store)
    drain(worker(store))
    (dead,) = desk(store).deliveries(who("alpha-lead"))
    (channel,) = desk(store).channels(who("alpha-lead"))
    shown = str(channel_json(channel))
    assert channel.id == channel_id and "secret-path-token" not in shown
    assert shown.count("/…") == 1
    for text in (caplog.text, shown, dead.last_error, repr(Secret(KEY)), f"{Secret(KEY)}"):
        assert KEY not in text
        assert "secret-path-token" not in text
    assert "attempt 3 failed" in caplog.text
