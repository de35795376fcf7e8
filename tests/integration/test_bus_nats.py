"""What only the NATS bus does: the streams and consumers it leaves on the server, and the
duplicate window (the embedded bus remembers keys forever, JetStream for a while)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import nats
import pytest
from nats.js.api import AckPolicy, StorageType
from nats.js.client import JetStreamContext

from shieldwall.bus.nats import NatsBus, stream_name

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
