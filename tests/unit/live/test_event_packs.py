"""Events in packs on the bus: what goes in comes out, numbered once, bounded, and a bad
body costs only itself (the bus is written by the intake, but read as hostile input)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.loader import load_rules
from shieldwall.fuse import GroupingRules
from shieldwall.live import ALERTS_SUBJECT, EVENTS_SUBJECT, DetectWorker, FuseWorker
from shieldwall.live.event_packs import (
    MAX_PACK_BYTES,
    MAX_PACK_EVENTS,
    PACK_SLOTS,
    fetch_size,
    pack,
    unpack,
)
from shieldwall.live.wire import MAX_HITS_PER_MESSAGE, decode_hits, encode_event, encode_hits
from shieldwall.model.errors import InputError
from shieldwall.model.event import Event, RawRecord, SourceRef
from shieldwall.normalise import normalise
from tests.unit.api.conftest import World, build_world
from tests.unit.live.test_live_pipeline import RULES, alerts, ndjson, post, sysmon


def event(n: int, text: str = "x") -> Event:
    return Event(
        fields={"n": n, "text": text},
        source=SourceRef("ingest:alpha:b1", n),
        timestamp=datetime(2026, 12, 1, 10, 0, n % 60, tzinfo=UTC),
        format="json",
    )


INTEGERS = st.integers(-(2**63), 2**63 - 1)
BODIES = st.lists(st.one_of(INTEGERS, st.text(max_size=5), st.just({"member": 1})), max_size=6)
SIZES = st.lists(st.integers(min_value=0, max_value=40_000), max_size=400)


@settings(max_examples=60, deadline=None)
@given(sizes=SIZES, sequence=st.integers(min_value=1, max_value=2**40))
def test_what_is_packed_comes_out_in_order_each_with_a_number_of_its_own(
    sizes: list[int], sequence: int
) -> None:
    encoded = [(f"alpha:b1:{n}", encode_event(event(n, "x" * size), "alpha")) for n, size in
               enumerate(sizes, 1)]  # fmt: skip
    packs = pack(encoded)
    assert sum(held for _, _, held in packs) == len(encoded)
    out: list[Event] = []
    first = 0
    for index, (key, body, held) in enumerate(packs):
        assert key == encoded[first][0]  # keyed by its first event: a batch again is dropped
        assert held <= MAX_PACK_EVENTS
        assert len(body) <= MAX_PACK_BYTES or held == 1  # a larger event travels alone
        numbers = [number for number, _ in unpack(sequence + index, body)]
        start = (sequence + index) * PACK_SLOTS
        assert numbers == list(range(start, start + held))
        out.extend(found for _, found in unpack(sequence + index, body))  # type: ignore[misc]
        first += held
    assert [(e.fields, e.source, e.member) for e in out] == [
        ({"n": n, "text": "x" * size}, SourceRef("ingest:alpha:b1", n), "alpha")
        for n, size in enumerate(sizes, 1)
    ]
    assert pack(encoded) == packs  # the same batch, the same packs


def test_a_pack_fills_to_its_event_bound_then_starts_another() -> None:
    encoded = [(f"k{n}", encode_event(event(n), "alpha")) for n in range(MAX_PACK_EVENTS * 2 + 1)]
    assert [held for _, _, held in pack(encoded)] == [MAX_PACK_EVENTS, MAX_PACK_EVENTS, 1]
    assert pack([]) == []


def test_a_message_of_one_event_from_before_packs_keeps_its_sequence() -> None:
    ((number, found),) = unpack(41, encode_event(event(3), "bravo"))
    assert number == 41 and isinstance(found, Event) and found.member == "bravo"


@settings(max_examples=200, deadline=None)
@given(payload=st.binary(max_size=300))
def test_any_bytes_unpack_to_events_or_reasons_never_an_exception(payload: bytes) -> None:
    for number, found in unpack(7, b"[" + payload):
        assert number >= 7 * PACK_SLOTS
        assert isinstance(found, (Event, InputError))


@settings(max_examples=100, deadline=None)
@given(bodies=BODIES)
def test_a_bad_body_in_a_pack_costs_only_itself(bodies: list[Any]) -> None:
    good = orjson.loads(encode_event(event(1), "alpha"))
    payload = orjson.dumps([*bodies, good])
    unpacked = unpack(2, payload)
    assert len(unpacked) == len(bodies) + 1
    assert all(isinstance(found, InputError) for _, found in unpacked[:-1])
    assert isinstance(unpacked[-1][1], Event) and unpacked[-1][0] == 2 * PACK_SLOTS + len(bodies)


def test_a_pack_of_more_events_than_its_numbers_hold_is_refused_whole() -> None:
    body = encode_event(event(1), "alpha")
    ((number, found),) = unpack(3, b"[" + b",".join([body] * (PACK_SLOTS + 1)) + b"]")
    assert number == 3 * PACK_SLOTS and isinstance(found, InputError)
    assert "more than 4096" in found.reason


def test_in_a_pack_on_the_bus_an_unreadable_event_is_skipped_and_the_rest_alert(
    tmp_path: Path,
) -> None:
    world: World = build_world(tmp_path)
    try:
        (tmp_path / "rules.yml").write_text(RULES, encoding="utf-8")
        engine = Engine(load_rules([tmp_path / "rules.yml"]))
        assert post(world, "alpha-sensor", ndjson(sysmon("C:\\x\\evil.exe", 1))).status_code == 200
        good = orjson.loads(encode_event(event(2), "alpha"))
        other = sysmon("C:\\y\\evil.exe", 3)
        other["Event"]["System"]["Computer"] = "ws2.alpha.example"  # not the first's repeat
        record = RawRecord(SourceRef("b2", 3), "evtx", other)
        evil = orjson.loads(encode_event(normalise(record), "alpha"))

        async def run() -> DetectWorker:
            assert world.services.buses is not None
            bus = await world.services.buses.own()
            await bus.publish(EVENTS_SUBJECT, orjson.dumps([good, {"source": 1}, evil]), key="p")
            worker = DetectWorker(bus, world.services.store, engine)
            consumer = await worker.consumer()
            try:
                while await worker.step(consumer, timeout=0.2):
                    pass
            finally:
                await consumer.close()
                await bus.close()
            return worker

        worker = asyncio.run(run())
        assert (worker.counts.events, worker.counts.unreadable) == (3, 1)
        found = sorted(a["matched"]["Image"] for a in alerts(world, "alpha-analyst"))
        assert found == ["C:\\x\\evil.exe", "C:\\y\\evil.exe"]
    finally:
        world.services.close()


# Alert hits travel together on alerts.raised, a detect batch's in one message or a few.

HIT = st.tuples(st.text(min_size=1, max_size=20), st.text(max_size=10))


@settings(max_examples=100, deadline=None)
@given(hits=st.lists(HIT, min_size=1, max_size=MAX_HITS_PER_MESSAGE))
def test_hits_named_together_are_read_back_in_order(hits: list[tuple[str, str]]) -> None:
    assert decode_hits(encode_hits(hits)) == hits


def test_a_message_of_one_hit_from_before_is_still_read() -> None:
    assert decode_hits(orjson.dumps({"hit": "alpha:9:r", "member": "alpha"})) == [
        ("alpha:9:r", "alpha")
    ]


@settings(max_examples=300, deadline=None)
@given(payload=st.one_of(st.binary(max_size=200), st.recursive(
    st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=4)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(
        st.sampled_from(["hits", "hit", "member"]), inner, max_size=3)),
    max_leaves=8).map(orjson.dumps)))  # fmt: skip
def test_any_alert_message_is_hits_or_a_reason_never_an_exception(payload: bytes) -> None:
    try:
        hits = decode_hits(payload)
    except InputError as exc:
        assert exc.reason.startswith("not an alert message")
    else:
        assert hits and all(isinstance(key, str) and key for key, _ in hits)


def test_too_many_hits_in_one_message_are_refused() -> None:
    with pytest.raises(InputError, match="too many"):
        decode_hits(encode_hits([("k", "alpha")] * (MAX_HITS_PER_MESSAGE + 1)))
    with pytest.raises(InputError, match="no hits"):
        decode_hits(encode_hits([]))


def test_a_batch_of_many_hits_is_announced_in_few_messages_and_all_are_fused(
    tmp_path: Path,
) -> None:
    world: World = build_world(tmp_path)
    try:
        (tmp_path / "rules.yml").write_text(RULES, encoding="utf-8")
        engine = Engine(load_rules([tmp_path / "rules.yml"]))
        machines = [sysmon("C:\\x\\evil.exe", n) for n in range(1, 1202)]
        for n, machine in enumerate(machines):  # each its own host: its own alert
            machine["Event"]["System"]["Computer"] = f"ws{n}.alpha.example"
        for part in (machines[n : n + 100] for n in range(0, len(machines), 100)):  # 64 KiB each
            answer = post(world, "alpha-sensor", ndjson(*part))
            assert answer.json().get("accepted") == len(part), answer.text

        async def run() -> tuple[int, FuseWorker]:
            assert world.services.buses is not None
            bus = await world.services.buses.own()
            detect = DetectWorker(bus, world.services.store, engine, batch=2000)
            fuse = FuseWorker(bus, world.services.store, GroupingRules())
            consumers = (await detect.consumer(), await fuse.consumer())
            try:
                while await detect.step(consumers[0], timeout=0.2):
                    pass
                announced = await bus.last_sequence(ALERTS_SUBJECT)
                while await fuse.step(consumers[1], timeout=0.2):
                    pass
            finally:
                for consumer in consumers:
                    await consumer.close()
                await bus.close()
            return announced, fuse

        announced, fuse = asyncio.run(run())
        assert announced == 3  # 1,201 hits, 500 a message
        assert (fuse.counts.hits, fuse.counts.unreadable) == (1201, 0)
    finally:
        world.services.close()


@settings(max_examples=300, deadline=None)
@given(
    batch=st.integers(1, 5000),
    full=st.integers(1, 1000),
    items=st.integers(0, 100_000),
    messages=st.integers(1, 5000),
)
def test_a_fetch_never_takes_more_than_four_batches_of_full_messages(
    batch: int, full: int, items: int, messages: int
) -> None:
    least = max(1, batch // full)
    wanted = fetch_size(batch, (items, messages), full)
    assert least <= wanted <= 4 * least  # at most 4 × max(batch, full) items
    assert fetch_size(batch, (0, 0), full) == least  # a new worker: a batch of full packs
    if items and batch * messages // items <= 4 * least:
        assert wanted == max(least, batch * messages // items)  # the last batch's ratio


def test_a_new_detect_worker_takes_one_batch_of_packs_not_five_hundred() -> None:
    assert fetch_size(500, (0, 0), MAX_PACK_EVENTS) == 5
    assert fetch_size(500, (10, 10), MAX_PACK_EVENTS) == 20  # one event a message last time
    assert fetch_size(200, (0, 0), MAX_HITS_PER_MESSAGE) == 1
