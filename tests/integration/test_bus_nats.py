"""What only the NATS bus does: the streams and consumers it leaves on the server, and the
duplicate window (the embedded bus remembers keys forever, JetStream for a while)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import nats
import pytest
from nats.js.api import AckPolicy, DiscardPolicy, StorageType
from nats.js.client import JetStreamContext

from shieldwall.bus.nats import NatsBus, stream_name
from shieldwall.model.errors import BusError

pytestmark = [pytest.mark.nats, pytest.mark.anyio]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def subject() -> str:
    return f"test.nats.{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def server(
    nats_url: str, subject: str, anyio_backend: str
) -> AsyncIterator[JetStreamContext]:
    """A plain JetStream client to look at what the bus did; drops the stream after."""
    client = await nats.connect(nats_url)
    yield client.jetstream()
    await client.jetstream().delete_stream(stream_name(subject))
    await client.close()


async def test_each_subject_gets_a_file_stream_of_its_own(
    nats_url: str, subject: str, server: JetStreamContext
) -> None:
    bus = await NatsBus.connect([nats_url], duplicate_window=90)
    await bus.publish(subject, b"x", key="k")
    await bus.close()

    info = await server.stream_info(stream_name(subject))

    assert info.config.subjects == [subject]
    assert info.config.storage == StorageType.FILE
    assert info.config.duplicate_window == 90
    assert info.state.messages == 1


async def test_the_durable_consumer_takes_the_settings_of_its_latest_opening(
    nats_url: str, subject: str, server: JetStreamContext
) -> None:
    bus = await NatsBus.connect([nats_url])
    first = await bus.consumer(subject, "detect", ack_wait=5, max_deliver=3)
    await first.close()
    await bus.consumer(subject, "detect", ack_wait=7, max_deliver=4)
    await bus.close()

    info = await server.consumer_info(stream_name(subject), "detect")

    assert info.config.durable_name == "detect"
    assert info.config.ack_policy == AckPolicy.EXPLICIT
    assert (info.config.ack_wait, info.config.max_deliver) == (7, 4)


async def test_a_key_repeated_after_the_duplicate_window_is_stored_again(
    nats_url: str, subject: str, server: JetStreamContext
) -> None:
    bus = await NatsBus.connect([nats_url], duplicate_window=0.3)
    first = await bus.publish(subject, b"x", key="k")
    inside = await bus.publish(subject, b"x", key="k")
    await asyncio.sleep(0.8)
    after = await bus.publish(subject, b"x", key="k")
    await bus.close()

    assert (first, inside, after) == (1, 1, 2)
    assert (await server.stream_info(stream_name(subject))).state.messages == 2


async def test_a_large_batch_is_stored_in_order_once_and_its_repeat_adds_nothing(
    nats_url: str, subject: str, server: JetStreamContext
) -> None:
    bus = await NatsBus.connect([nats_url])
    batch = [(f"k{n}", f"m{n}".encode()) for n in range(2500)]
    first = await bus.publish_many(subject, batch)
    again = await bus.publish_many(subject, [*batch[:10], ("new", b"new")])
    consumer = await bus.consumer(subject, "reader")
    got = []
    while deliveries := await consumer.fetch(1000, timeout=0.3):
        got += deliveries
        await consumer.ack(*deliveries)
    await bus.close()

    assert first == list(range(1, 2501))
    assert again == [*range(1, 11), 2501]
    assert [(d.key, d.payload) for d in got] == [*batch, ("new", b"new")]
    assert [d.sequence for d in got] == list(range(1, 2502))


async def test_a_publish_no_stream_answers_is_an_error(
    nats_url: str, subject: str, server: JetStreamContext
) -> None:
    bus = await NatsBus.connect([nats_url])
    await bus.publish(subject, b"x", key="k")
    await server.delete_stream(stream_name(subject))  # behind the bus's back
    try:
        with pytest.raises(BusError, match="publish to"):
            await bus.publish_many(subject, [("a", b"a"), ("b", b"b")])
    finally:
        await bus.close()
        await server.add_stream(name=stream_name(subject), subjects=[subject])


async def test_an_ack_the_server_does_not_confirm_is_an_error(
    nats_url: str, subject: str, server: JetStreamContext
) -> None:
    bus = await NatsBus.connect([nats_url])
    await bus.publish(subject, b"x", key="k")
    consumer = await bus.consumer(subject, "reader")
    [delivery] = await consumer.fetch(10, timeout=1)
    await server.delete_consumer(stream_name(subject), "reader")
    try:
        with pytest.raises(BusError, match="ack for consumer reader"):
            await consumer.ack(delivery)
    finally:
        await bus.close()


async def test_deliveries_that_come_after_a_fetch_returned_go_to_the_next_fetch(
    nats_url: str, subject: str, server: JetStreamContext
) -> None:
    bus = await NatsBus.connect([nats_url])
    consumer = await bus.consumer(subject, "reader")

    async def publish_later() -> None:
        await asyncio.sleep(0.2)
        for n in range(30):
            await bus.publish(subject, b"x", key=f"k{n}")

    publisher = asyncio.create_task(publish_later())
    got = await consumer.fetch(50, timeout=2)  # a waiting request, answered one by one
    await publisher
    while deliveries := await consumer.fetch(50, timeout=0.3):
        got += deliveries
    await consumer.ack(*got)
    await consumer.ack(*got)  # a second ack of the same deliveries does nothing
    await consumer.nak(*got)  # nor does a nak after the ack
    await consumer.close()
    again = await (await bus.consumer(subject, "reader", ack_wait=0.2)).fetch(50, timeout=0.5)
    await bus.close()

    assert sorted(d.sequence for d in got) == list(range(1, 31))
    assert again == []


async def test_a_key_of_any_printable_characters_comes_back_as_published(
    nats_url: str, subject: str, server: JetStreamContext
) -> None:
    bus = await NatsBus.connect([nats_url])
    keys = ["ключ:1", "a b", "x" * 256]
    await bus.publish_many(subject, [(key, key.encode()) for key in keys])
    consumer = await bus.consumer(subject, "reader")
    got = await consumer.fetch(10, timeout=1)
    await bus.close()

    assert [(d.key, d.payload) for d in got] == [(key, key.encode()) for key in keys]


async def test_a_message_the_stream_refuses_fails_the_batch(
    nats_url: str, subject: str, server: JetStreamContext
) -> None:
    await server.add_stream(
        name=stream_name(subject), subjects=[subject], max_msgs=2, discard=DiscardPolicy.NEW
    )
    bus = await NatsBus.connect([nats_url])
    try:
        with pytest.raises(BusError, match="refused: maximum messages exceeded"):
            await bus.publish_many(subject, [("a", b"a"), ("b", b"b"), ("c", b"c")])
        assert await bus.publish_many(subject, [("a", b"a"), ("b", b"b")]) == [1, 2]
    finally:
        await bus.close()


async def test_a_consumer_refuses_a_delivery_of_its_namesake_on_another_subject(
    nats_url: str, subject: str, server: JetStreamContext
) -> None:
    bus = await NatsBus.connect([nats_url])
    other = subject + "-other"
    try:
        await bus.publish(subject, b"x", key="k")
        await bus.publish(other, b"y", key="k")
        here = await bus.consumer(subject, "reader")
        there = await bus.consumer(other, "reader")
        [delivery] = await there.fetch(10, timeout=1)
        with pytest.raises(BusError, match="cannot be settled"):
            await here.ack(delivery)
        await there.ack(delivery)
    finally:
        await bus.drop(other)
        await bus.close()


async def test_batches_published_at_once_each_get_their_own_answers(
    nats_url: str, subject: str, server: JetStreamContext
) -> None:
    bus = await NatsBus.connect([nats_url])  # its first publishes: the inbox is not there yet
    batches = [[(f"b{b}-{n}", b"x") for n in range(50)] for b in range(4)]
    answers = await asyncio.gather(*(bus.publish_many(subject, batch) for batch in batches))
    await bus.close()

    assert sorted(seq for answer in answers for seq in answer) == list(range(1, 201))
    assert all(answer == sorted(answer) for answer in answers)
