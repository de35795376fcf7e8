"""Zeek and Suricata EVE records: native names kept, ECS aliases added, timestamps UTC."""

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.model.event import RawRecord, RecordFormat, SourceRef
from shieldwall.normalise import normalise

ZEEK_DNS = {
    "ts": 1600000000.25,
    "uid": "CHhAvVGS1DHFjwGM9",
    "id.orig_h": "10.0.0.5",
    "id.orig_p": 53412,
    "id.resp_h": "8.8.8.8",
    "id.resp_p": 53,
    "proto": "udp",
    "query": "evil.example",
    "answers": ["1.2.3.4"],
}
EVE_ALERT = {
    "timestamp": "2019-01-01T10:00:00.500000+0100",
    "event_type": "alert",
    "src_ip": "10.0.0.5",
    "src_port": 4444,
    "dest_ip": "192.0.2.1",
    "dest_port": 80,
    "proto": "TCP",
    "alert": {"signature_id": 2019284, "signature": "ET MALWARE x", "severity": 1},
}


def _event(fmt: RecordFormat, payload: Any, hint: str = "") -> Any:
    return normalise(RawRecord(SourceRef("n.log", 2), fmt, payload, hint))


def test_zeek_keeps_its_names_and_adds_ecs_aliases() -> None:
    event = _event("zeek", ZEEK_DNS, hint="dns")
    assert event.fields["query"] == "evil.example"
    assert event.fields["answers"] == ["1.2.3.4"]
    assert (event.fields["source.ip"], event.fields["source.port"]) == ("10.0.0.5", 53412)
    assert (event.fields["destination.ip"], event.fields["destination.port"]) == ("8.8.8.8", 53)
    assert event.fields["network.transport"] == "udp"
    assert event.fields["event.dataset"] == "zeek.dns"
    assert event.timestamp == datetime(2020, 9, 13, 12, 26, 40, 250000, tzinfo=UTC)
    assert event.format == "zeek"


def test_zeek_json_with_iso_timestamps() -> None:
    event = _event("zeek", {"ts": "2020-09-13T12:26:40.25Z", "_path": "conn"})
    assert event.timestamp == datetime(2020, 9, 13, 12, 26, 40, 250000, tzinfo=UTC)
    assert event.fields["event.dataset"] == "zeek.conn"


def test_suricata_eve_is_flattened_with_aliases() -> None:
    event = _event("suricata", EVE_ALERT)
    assert event.fields["alert.signature"] == "ET MALWARE x"
    assert event.fields["alert.signature_id"] == 2019284
    assert (event.fields["source.ip"], event.fields["destination.port"]) == ("10.0.0.5", 80)
    assert event.fields["network.transport"] == "tcp"
    assert event.fields["event.dataset"] == "suricata.alert"
    assert event.timestamp == datetime(2019, 1, 1, 9, 0, 0, 500000, tzinfo=UTC)


@pytest.mark.parametrize("fmt", ["zeek", "suricata"])
def test_text_payload_is_an_input_error(fmt: RecordFormat) -> None:
    with pytest.raises(InputError) as caught:
        _event(fmt, "a line")
    assert caught.value.place == "line 2"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=15,
)


@pytest.mark.parametrize("fmt", ["zeek", "suricata", "json"])
@given(payload=st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=6))
def test_any_object_gives_an_event_or_input_error(
    fmt: RecordFormat, payload: dict[str, Any]
) -> None:
    try:
        event = _event(fmt, payload)
    except InputError as err:
        assert err.place == "line 2"
    else:
        assert event.timestamp is None or event.timestamp.tzinfo is UTC
