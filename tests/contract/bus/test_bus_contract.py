"""The Bus contract: what every implementation (embedded, NATS) promises the stages."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from shieldwall.bus.protocol import Bus, Consumer, Delivery
from shieldwall.bus.sequence import SequenceTracker
from shieldwall.model.errors import BusError

pytestmark = pytest.mark.anyio
Reopen = Callable[[], Awaitable[Bus]]

ACK_WAIT = 0.4
# Long enough for an ack_wait to run out and the redelivery to arrive, on either bus.
PAST_ACK_WAIT = ACK_WAIT * 3


def sequences(deliveries: list[Delivery]) -> list[int]:
    return [delivery.sequence for delivery in deliveries]


async def publish_numbered(bus: Bus, subject: str, count: int) -> list[int]:
    return [await bus.publish(subject, f"m{n}".encode(), key=f"k{n}") for n in range(count)]


async def fetch_all(consumer: Consumer, expected: int, timeout: float = 2.0) -> list[Delivery]:
    """Fetch until ``expected`` deliveries came or ``timeout`` passed."""
    got: list[Delivery] = []
    deadline = asyncio.get_running_loop().time() + timeout
    while len(got) < expected:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            break
        got += await consumer.fetch(expected - len(got), timeout=remaining)
    return got


async def test_consumer_gets_every_message_in_order_with_payload_and_key(
    bus: Bus, subject: str
) -> None:
    published = await publish_numbered(bus, subject, 5)
    consumer = await bus.consumer(subject, "reader", ack_wait=ACK_WAIT)

    got = await fetch_all(consumer, 5)

    assert published == [1, 2, 3, 4, 5]
    assert sequences(got) == published
    assert [(d.key, d.payload, d.attempt) for d in got] == [
        (f"k{n}", f"m{n}".encode(), 1) for n in range(5)
    ]
    assert {(d.subject, d.consumer) for d in got} == {(subject, "reader")}


async def test_fetch_returns_at_most_batch_and_continues_where_it_stopped(
    bus: Bus, subject: str
) -> None:
    await publish_numbered(bus, subject, 5)
    consumer = await bus.consumer(subject, "reader", ack_wait=30)

    first = await consumer.fetch(2, timeout=1)
    rest = await fetch_all(consumer, 3)

    assert sequences(first) == [1, 2]
    assert sequences(rest) == [3, 4, 5]


async def test_fetch_waits_for_a_message_published_meanwhile(bus: Bus, subject: str) -> None:
    consumer = await bus.consumer(subject, "reader", ack_wait=30)

    async def publish_later() -> None:
        await asyncio.sleep(0.2)
        await bus.publish(subject, b"late", key="late")

    publisher = asyncio.create_task(publish_later())
    got = await consumer.fetch(10, timeout=3)
    await publisher

    assert [d.payload for d in got] == [b"late"]


async def test_fetch_on_an_empty_subject_returns_nothing_after_timeout(
    bus: Bus, subject: str
) -> None:
    consumer = await bus.consumer(subject, "reader", ack_wait=30)

    assert await consumer.fetch(10, timeout=0.2) == []


async def test_acknowledged_messages_are_not_redelivered(bus: Bus, subject: str) -> None:
    await publish_numbered(bus, subject, 3)
    consumer = await bus.consumer(subject, "reader", ack_wait=ACK_WAIT)
    got = await fetch_all(consumer, 3)

    await consumer.ack(*got)

    assert await consumer.fetch(10, timeout=PAST_ACK_WAIT) == []


async def test_unacknowledged_messages_come_back_after_ack_wait(bus: Bus, subject: str) -> None:
    await publish_numbered(bus, subject, 3)
    consumer = await bus.consumer(subject, "reader", ack_wait=ACK_WAIT)
    first, second, third = await fetch_all(consumer, 3)
    await consumer.ack(second)

    again = await fetch_all(consumer, 2, timeout=PAST_ACK_WAIT * 2)

    assert sequences(again) == [first.sequence, third.sequence]
    assert [d.attempt for d in again] == [2, 2]
    assert [d.payload for d in again] == [first.payload, third.payload]


async def test_nak_hands_a_message_back_before_ack_wait(bus: Bus, subject: str) -> None:
    await publish_numbered(bus, subject, 1)
    consumer = await bus.consumer(subject, "reader", ack_wait=30)
    (delivery,) = await fetch_all(consumer, 1)

    await consumer.nak(delivery)
    again = await fetch_all(consumer, 1, timeout=2)

    assert [(d.sequence, d.attempt) for d in again] == [(delivery.sequence, 2)]


async def test_after_a_stop_without_ack_the_reopened_consumer_gets_the_rest(
    bus: Bus, reopen: Reopen, subject: str
) -> None:
    await publish_numbered(bus, subject, 4)
    consumer = await bus.consumer(subject, "reader", ack_wait=ACK_WAIT)
    got = await fetch_all(consumer, 4)
    await consumer.ack(got[0], got[2])
    await bus.close()

    restarted = await reopen()
    consumer = await restarted.consumer(subject, "reader", ack_wait=ACK_WAIT)
    again = await fetch_all(consumer, 2, timeout=PAST_ACK_WAIT * 2)
    await consumer.ack(*again)

    assert sequences(again) == [2, 4]
    assert all(d.attempt >= 2 for d in again)
    assert await consumer.fetch(10, timeout=PAST_ACK_WAIT) == []


async def test_a_message_published_before_a_stop_is_there_after_reopening(
    bus: Bus, reopen: Reopen, subject: str
) -> None:
    sequence = await bus.publish(subject, b"kept", key="kept")
    await bus.close()

    restarted = await reopen()
    consumer = await restarted.consumer(subject, "reader", ack_wait=ACK_WAIT)
    got = await fetch_all(consumer, 1)

    assert [(d.sequence, d.payload) for d in got] == [(sequence, b"kept")]
    assert await restarted.last_sequence(subject) == sequence


async def test_publishing_a_key_twice_stores_one_message(bus: Bus, subject: str) -> None:
    first = await bus.publish(subject, b"one", key="same")
    second = await bus.publish(subject, b"one again", key="same")
    consumer = await bus.consumer(subject, "reader", ack_wait=30)

    got = await consumer.fetch(10, timeout=0.5)

    assert second == first
    assert [(d.sequence, d.payload) for d in got] == [(first, b"one")]
    assert await bus.last_sequence(subject) == first


async def test_publish_many_keeps_order_and_skips_repeated_keys(bus: Bus, subject: str) -> None:
    await bus.publish(subject, b"a", key="a")

    result = await bus.publish_many(subject, [("b", b"b"), ("a", b"a2"), ("c", b"c"), ("b", b"")])
    consumer = await bus.consumer(subject, "reader", ack_wait=30)
    got = await fetch_all(consumer, 3)

    assert result == [2, 1, 3, 2]
    assert [(d.sequence, d.payload) for d in got] == [(1, b"a"), (2, b"b"), (3, b"c")]
    assert await bus.publish_many(subject, []) == []


async def test_the_same_key_on_another_subject_is_another_message(bus: Bus, subject: str) -> None:
    other = f"{subject}.other"
    try:
        here = await bus.publish(subject, b"x", key="shared")
        there = await bus.publish(other, b"y", key="shared")
        assert (here, there) == (1, 1)
        assert await bus.last_sequence(other) == 1
    finally:
        await bus.drop(other)


async def test_sequence_numbers_run_without_holes_and_last_sequence_follows(
    bus: Bus, subject: str
) -> None:
    assert await bus.last_sequence(subject) == 0
    published = await publish_numbered(bus, subject, 6)

    assert published == list(range(1, 7))
    assert await bus.last_sequence(subject) == 6


async def test_each_consumer_keeps_its_own_place(bus: Bus, subject: str) -> None:
    await publish_numbered(bus, subject, 3)
    fast = await bus.consumer(subject, "fast", ack_wait=30)
    slow = await bus.consumer(subject, "slow", ack_wait=30)

    await fast.ack(*await fetch_all(fast, 3))
    slow_got = await fetch_all(slow, 3)

    assert sequences(slow_got) == [1, 2, 3]
    assert await fast.fetch(10, timeout=0.2) == []


async def test_a_message_that_ran_out_of_deliveries_shows_as_a_gap(bus: Bus, subject: str) -> None:
    await publish_numbered(bus, subject, 3)
    consumer = await bus.consumer(subject, "reader", ack_wait=ACK_WAIT, max_deliver=1)
    tracker = SequenceTracker()
    first, *rest = await fetch_all(consumer, 3)
    for delivery in rest:
        tracker.record(delivery.sequence)
    await consumer.ack(*rest)

    redelivered = await consumer.fetch(10, timeout=PAST_ACK_WAIT)

    assert redelivered == []
    assert tracker.gaps(up_to=await bus.last_sequence(subject)) == [range(1, 2)]
    assert first.sequence == 1


async def test_redelivery_is_recognised_by_a_tracker_and_changes_nothing(
    bus: Bus, subject: str
) -> None:
    await publish_numbered(bus, subject, 2)
    consumer = await bus.consumer(subject, "reader", ack_wait=ACK_WAIT)
    tracker = SequenceTracker()
    processed: list[bytes] = []
    for delivery in await fetch_all(consumer, 2):
        if tracker.record(delivery.sequence):
            processed.append(delivery.payload)
    # "crash" before acking: everything comes back, nothing is processed twice
    for delivery in await fetch_all(consumer, 2, timeout=PAST_ACK_WAIT * 2):
        if tracker.record(delivery.sequence):
            processed.append(delivery.payload)
        await consumer.ack(delivery)

    assert processed == [b"m0", b"m1"]
    assert tracker.floor == 2
    assert tracker.gaps(up_to=await bus.last_sequence(subject)) == []


@pytest.mark.parametrize(
    "bad_subject",
    ["", "events.", ".events", "events..raw", "events.*", "events.>", "Events", "a b", "ev_raw"],
)
async def test_bad_subject_names_are_refused(bus: Bus, bad_subject: str) -> None:
    with pytest.raises(BusError, match="bad subject"):
        await bus.publish(bad_subject, b"x", key="k")
    with pytest.raises(BusError, match="bad subject"):
        await bus.consumer(bad_subject, "reader")


@pytest.mark.parametrize("bad_name", ["", "a.b", "a*", "reader_1", "Reader", "x" * 65])
async def test_bad_consumer_names_are_refused(bus: Bus, subject: str, bad_name: str) -> None:
    with pytest.raises(BusError, match="bad consumer name"):
        await bus.consumer(subject, bad_name)


@pytest.mark.parametrize("bad_key", ["", " padded", "two\nlines", "k" * 257])
async def test_bad_keys_are_refused_and_nothing_is_stored(
    bus: Bus, subject: str, bad_key: str
) -> None:
    with pytest.raises(BusError, match="bad idempotency key"):
        await bus.publish_many(subject, [("fine", b"x"), (bad_key, b"y")])
    assert await bus.last_sequence(subject) == 0


@pytest.mark.parametrize(("ack_wait", "max_deliver"), [(0, 5), (-1, 5), (30, 0)])
async def test_useless_consumer_settings_are_refused(
    bus: Bus, subject: str, ack_wait: float, max_deliver: int
) -> None:
    with pytest.raises(BusError, match=r"ack_wait|max_deliver"):
        await bus.consumer(subject, "reader", ack_wait=ack_wait, max_deliver=max_deliver)


async def test_a_consumer_refuses_to_settle_another_consumers_delivery(
    bus: Bus, subject: str
) -> None:
    await publish_numbered(bus, subject, 1)
    mine = await bus.consumer(subject, "mine", ack_wait=30)
    theirs = await bus.consumer(subject, "theirs", ack_wait=30)
    (delivery,) = await fetch_all(theirs, 1)

    with pytest.raises(BusError, match="cannot be settled"):
        await mine.ack(delivery)


async def test_backlog_counts_what_a_consumer_has_not_acknowledged(bus: Bus, subject: str) -> None:
    assert await bus.backlog(subject, "reader") is None  # no such consumer
    await publish_numbered(bus, subject, 5)
    consumer = await bus.consumer(subject, "reader", ack_wait=30)
    assert await bus.backlog(subject, "reader") == 5

    got = await fetch_all(consumer, 2)
    assert await bus.backlog(subject, "reader") == 5  # delivered, not acknowledged
    await consumer.ack(*got)
    assert await bus.backlog(subject, "reader") == 3
    await consumer.close()
