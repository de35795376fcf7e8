"""The intake reads a batch one record at a time: its answer and its bus messages are those
of reading the whole batch first, line by line, then normalising and encoding each record;
and an event's bus message reads back as the event it was, in today's and yesterday's form."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.ingest.intake import read_batch
from shieldwall.live.event_packs import pack, unpack
from shieldwall.live.intake import IngestDesk, _event
from shieldwall.live.wire import TOOL_ALERT, decode_event, encode_event
from shieldwall.model.errors import InputError
from shieldwall.model.event import Event, RecordFormat, SourceRef
from shieldwall.model.identity import Principal, Role

SENSOR = Principal("p-sensor", "alpha", Role.SENSOR)
EVTX = {
    "Event": {
        "System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
            "EventID": 1,
            "Channel": "Microsoft-Windows-Sysmon/Operational",
            "Computer": "ws1",
            "TimeCreated": {"#attributes": {"SystemTime": "2024-05-01T10:00:00.1234567Z"}},
        },
        "EventData": {"Image": "C:\\Windows\\System32\\cmd.exe", "ProcessId": 42},
    }
}
LINES = st.one_of(
    st.just(orjson.dumps(EVTX)),
    st.just(orjson.dumps({"Event": {"System": {"EventID": "four"}}})),  # normaliser refuses
    st.just(orjson.dumps({"@timestamp": "2024-05-01T10:00:00Z", "source": {"ip": "10.0.0.1"}})),
    st.just(orjson.dumps({"event_type": "dns", "timestamp": "2024-05-01T10:00:00Z"})),
    st.just(orjson.dumps({"_path": "conn", "ts": 1714557600.5, "uid": "C1"})),
    st.just(orjson.dumps("<38>Dec  1 10:00:01 web1 sshd[1]: Failed password for root")),
    st.just(orjson.dumps("two\nlines")),
    st.just(b"[1, 2]"),
    st.just(b"{not json"),
    st.just(b"   "),
    st.just(b""),
    st.text(max_size=30).map(lambda text: text.encode()),
)
FORMATS: list[RecordFormat | None] = [None, "json", "suricata", "zeek", "syslog", "cef"]


class Recording:
    """A bus that keeps what is published."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes]] = []

    async def publish_many(self, subject: str, messages: Sequence[tuple[str, bytes]]) -> list[int]:
        self.messages.extend(messages)
        return list(range(len(messages)))

    async def backlog(self, subject: str, consumer: str) -> int | None:
        return None


def whole_batch_first(body: bytes, forced: RecordFormat | None, batch: str) -> Any:
    """What the intake answered and published when it read the whole batch first."""
    intake = read_batch(body, source=f"ingest:alpha:{batch}", forced=forced)
    refused = [(r.line, r.reason) for r in intake.refused]
    messages = []
    for record in intake.records:
        try:
            event = _event(record)
        except InputError as exc:
            refused.append((record.source.record_id or 0, exc.reason))
            continue
        key = f"alpha:{batch}:{record.source.record_id}"
        messages.append((key, encode_event(event, "alpha")))
    return len(messages), sorted(refused), [(key, body) for key, body, _ in pack(messages)]


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(LINES, max_size=12), forced=st.sampled_from(FORMATS))
def test_streaming_answers_and_publishes_as_reading_the_batch_first(
    lines: list[bytes], forced: RecordFormat | None
) -> None:
    body = b"\n".join(lines)
    bus = Recording()

    async def give() -> Any:
        return bus

    desk = IngestDesk(give, subject="events.normalised")
    report = asyncio.run(desk.accept(SENSOR, body, forced=forced, batch_key="b1"))
    accepted, refused, messages = whole_batch_first(body, forced, "b1")
    assert report.accepted == accepted == sum(len(unpack(1, body)) for _, body in bus.messages)
    assert [(r.line, r.reason) for r in report.refused] == refused
    assert bus.messages == messages


def earlier_encoding(event: Event, member: str) -> bytes:
    """The wire form as written before the intake was made faster (kept readable)."""
    body: dict[str, Any] = {
        "member": member,
        "format": event.format,
        "fields": event.fields,
        "source": [event.source.path, event.source.record_id],
        "time": event.timestamp.isoformat() if event.timestamp else None,
    }
    for key in ("logsource", TOOL_ALERT):
        if event.extra.get(key):
            body[key] = event.extra[key]
    return orjson.dumps(body)


STAMPS = st.one_of(
    st.none(),
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 1, 1)).map(
        lambda moment: moment.replace(tzinfo=timezone(timedelta(hours=5, minutes=30)))
    ),
    st.datetimes(),
)
VALUES = st.one_of(st.text(max_size=10), st.integers(-(2**53), 2**53), st.none(), st.booleans())


@settings(max_examples=300, deadline=None)
@given(
    stamp=STAMPS,
    fields=st.dictionaries(st.text(max_size=8), VALUES, max_size=6),
    record_id=st.one_of(st.none(), st.integers(0, 2**40)),
    extra=st.fixed_dictionaries(
        {},
        optional={
            "logsource": st.dictionaries(st.sampled_from(["product", "service"]), st.text()),
            TOOL_ALERT: st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
        },
    ),
)
def test_the_wire_form_is_unchanged_and_reads_back(
    stamp: datetime | None, fields: dict[str, Any], record_id: int | None, extra: dict[str, Any]
) -> None:
    event = Event(fields, SourceRef("ingest:alpha:b", record_id), stamp, "json", extra=extra)
    payload = encode_event(event, "alpha")
    assert payload == earlier_encoding(event, "alpha")  # messages in flight stay readable
    back = decode_event(payload)
    assert back.fields == fields and back.member == "alpha" and back.format == "json"
    assert back.source == event.source
    assert back.timestamp == stamp
    assert back.extra == {key: value for key, value in extra.items() if value}
