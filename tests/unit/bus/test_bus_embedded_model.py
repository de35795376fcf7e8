"""Random interleavings of publish, fetch, ack, clock ticks and reopening on the embedded bus.

Whatever the order, a message whose publish returned is never lost (it is acked or still
deliverable), a message is never delivered again once acked, and sequence numbers and
payloads match what was published. A fake clock stands in for ack_wait timeouts.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from shieldwall.bus.embedded import EmbeddedBus, EmbeddedConsumer
from shieldwall.bus.protocol import Delivery

T = TypeVar("T")
SUBJECT = "events.model"
ACK_WAIT = 10.0
KEYS = st.sampled_from([f"key-{n}" for n in range(12)])


class EmbeddedBusModel(RuleBasedStateMachine):
    """The bus against a plain model: published payloads by sequence, acked sequences."""

    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="shieldwall-bus-model-"))
        self.loop = asyncio.new_event_loop()
        self.now = 1_000.0
        self.payloads: dict[int, bytes] = {}
        self.sequence_of_key: dict[str, int] = {}
        self.acked: set[int] = set()
        self.in_flight: dict[int, Delivery] = {}
        self.bus, self.consumer = self.run(self.open())

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    async def open(self) -> tuple[EmbeddedBus, EmbeddedConsumer]:
        bus = await EmbeddedBus.open(self.directory / "bus.db", clock=lambda: self.now)
        return bus, await bus.consumer(SUBJECT, "model", ack_wait=ACK_WAIT, max_deliver=10_000)

    def expect_published(self, key: str, payload: bytes, sequence: int) -> None:
        if key in self.sequence_of_key:
            assert sequence == self.sequence_of_key[key]
        else:
            assert sequence == len(self.payloads) + 1
            self.sequence_of_key[key] = sequence
            self.payloads[sequence] = payload

    @rule(key=KEYS, payload=st.binary(max_size=8))
    def publish(self, key: str, payload: bytes) -> None:
        sequence = self.run(self.bus.publish(SUBJECT, payload, key=key))
        self.expect_published(key, payload, sequence)

    @rule(messages=st.lists(st.tuples(KEYS, st.binary(max_size=8)), max_size=5))
    def publish_many(self, messages: list[tuple[str, bytes]]) -> None:
        sequences = self.run(self.bus.publish_many(SUBJECT, messages))
        assert len(sequences) == len(messages)
        for (key, payload), sequence in zip(messages, sequences, strict=True):
            self.expect_published(key, payload, sequence)

    @rule(batch=st.integers(min_value=1, max_value=6))
    def fetch(self, batch: int) -> None:
        deliveries = self.run(self.consumer.fetch(batch, timeout=0))
        got = [delivery.sequence for delivery in deliveries]
        assert len(got) <= batch
        assert got == sorted(set(got))
        for delivery in deliveries:
            assert delivery.sequence not in self.acked, "delivered after its ack"
            assert delivery.payload == self.payloads[delivery.sequence]
            self.in_flight[delivery.sequence] = delivery

    @rule(data=st.data())
    def ack_some(self, data: st.DataObject) -> None:
        chosen = data.draw(st.lists(st.sampled_from(sorted(self.in_flight) or [0]), unique=True))
        deliveries = [self.in_flight.pop(sequence) for sequence in chosen if sequence]
        self.run(self.consumer.ack(*deliveries))
        self.acked.update(delivery.sequence for delivery in deliveries)

    @rule(seconds=st.sampled_from([1.0, ACK_WAIT / 2, ACK_WAIT + 1]))
    def tick(self, seconds: float) -> None:
        self.now += seconds

    @rule()
    def crash_and_reopen(self) -> None:
        """Stop without acking what is in flight; the reopened consumer takes it over."""
        self.run(self.bus.close())
        self.bus, self.consumer = self.run(self.open())

    @invariant()
    def last_sequence_counts_distinct_keys(self) -> None:
        assert self.run(self.bus.last_sequence(SUBJECT)) == len(self.payloads)

    def teardown(self) -> None:
        try:
            self.now += ACK_WAIT + 1
            while deliveries := self.run(self.consumer.fetch(100, timeout=0)):
                got = {delivery.sequence for delivery in deliveries}
                assert not self.acked & got, "delivered after its ack"
                self.run(self.consumer.ack(*deliveries))
                self.acked |= got
            assert self.acked == set(self.payloads), "a published message was lost"
        finally:
            self.run(self.bus.close())
            self.loop.close()
            shutil.rmtree(self.directory)


EmbeddedBusModel.TestCase.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None
)
TestEmbeddedBusModel = EmbeddedBusModel.TestCase
