"""Alerts from members' own tools: ``shieldwall scan`` JSONL and Suricata EVE ``alert``
records sent to ingest are stored as alerts of the sending member, never matched again,
once each whatever resends or redelivers them, duplicates counted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.detect.engine import Engine
from shieldwall.live.tool_alerts import tool_alert
from shieldwall.model.detection import Detection, Level
from shieldwall.model.errors import InputError
from shieldwall.model.event import Event, RawRecord, SourceRef
from shieldwall.scan.encoders import detection_record, to_json
from tests.unit.api.conftest import World, build_world
from tests.unit.live.test_live_pipeline import alerts, detect_all, ndjson, post

EVIL = {
    "Channel": "Microsoft-Windows-Sysmon/Operational",
    "EventID": 1,
    "Image": "C:\\x\\evil.exe",
    "Computer": "ws1.alpha.example",
    "User": "ALPHA\\eve",
}


def scan_line(record: int = 7) -> dict[str, Any]:
    """A line exactly as ``shieldwall scan --format jsonl`` writes it."""
    from datetime import UTC, datetime

    event = Event(dict(EVIL), SourceRef("Sysmon.evtx", record), format="evtx")
    detection = Detection(
        rule_id="7c4d7b0e-1c2a-4f55-9b6e-0a8f7d1e2c31",
        rule_title="Evil binary started",
        level=Level.HIGH,
        tags=("attack.execution", "attack.t1204.002"),
        timestamp=datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
        source=event.source,
        matched={"Image": "C:\\x\\evil.exe"},
        event=event,
    )
    line: dict[str, Any] = json.loads(to_json(detection_record(detection)))
    return line


EVE_ALERT = {
    "timestamp": "2026-12-01T10:00:02.000000+0000",
    "flow_id": 1234,
    "event_type": "alert",
    "src_ip": "203.0.113.9",
    "src_port": 50000,
    "dest_ip": "10.0.0.5",
    "dest_port": 445,
    "proto": "TCP",
    "alert": {
        "action": "allowed",
        "gid": 1,
        "signature_id": 2024217,
        "rev": 3,
        "signature": "ET EXPLOIT Possible ETERNALBLUE Probe",
        "category": "Attempted Administrator Privilege Gain",
        "severity": 1,
    },
}


class Spy(Engine):
    """An engine with no rule that remembers every event it was asked to match."""

    def __init__(self) -> None:
        from shieldwall.detect.sigma.loader import RuleSet

        super().__init__(RuleSet())
        self.seen: list[Event] = []

    def match(self, event: Event) -> list[Detection]:
        self.seen.append(event)
        return []


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.services.close()


def test_tool_alerts_become_alerts_of_the_sender_and_are_not_matched_again(world: World) -> None:
    named_other = {**scan_line(), "member": "bravo", "org_id": "bravo"}
    answer = post(world, "alpha-sensor", ndjson(named_other, EVE_ALERT, EVIL))
    assert answer.status_code == 200 and answer.json()["accepted"] == 3, answer.text
    spy = Spy()
    detect_all(world, spy)
    assert [event.fields.get("Image") for event in spy.seen] == ["C:\\x\\evil.exe"]
    assert all("tool_alert" not in event.extra for event in spy.seen)
    stored = {a["rule_id"]: a for a in alerts(world, "alpha-analyst")}
    assert set(stored) == {"7c4d7b0e-1c2a-4f55-9b6e-0a8f7d1e2c31", "suricata:1:2024217"}
    scan, eve = stored["7c4d7b0e-1c2a-4f55-9b6e-0a8f7d1e2c31"], stored["suricata:1:2024217"]
    assert scan["org_id"] == "alpha" and scan["level"] == "high" and scan["kind"] == "rule"
    assert scan["techniques"] == ["T1204.002"] and scan["entities"]["hosts"] == [
        "ws1.alpha.example"
    ]
    assert scan["event_time"] == "2026-12-01T10:00:00+00:00"
    assert eve["level"] == "high" and eve["kind"] == "suricata"
    assert eve["rule_title"] == "ET EXPLOIT Possible ETERNALBLUE Probe"
    assert "203.0.113.9" in eve["entities"]["ips"]
    assert alerts(world, "bravo-analyst") == []


def test_a_tool_alert_sent_again_or_redelivered_is_one_alert_duplicates_counted(
    world: World,
) -> None:
    body = ndjson(scan_line(7), EVE_ALERT)
    post(world, "alpha-sensor", body, **{"Idempotency-Key": "first"})
    detect_all(world, Spy(), ack=False)  # stored, then a crash before the acknowledgement
    post(world, "alpha-sensor", body, **{"Idempotency-Key": "second"})  # a resend
    detect_all(world, Spy())
    assert sorted(a["count"] for a in alerts(world, "alpha-analyst")) == [1, 1]
    post(world, "alpha-sensor", ndjson(scan_line(8)))  # another event, same rule, host, user
    detect_all(world, Spy())
    assert sorted(a["count"] for a in alerts(world, "alpha-analyst")) == [1, 2]


def test_a_malformed_tool_alert_is_a_refused_line(world: World) -> None:
    bad_level = {**scan_line(), "level": "severe"}
    bad_sid = {**EVE_ALERT, "alert": {"signature": "x", "signature_id": "one"}}
    answer = post(world, "alpha-sensor", ndjson(bad_level, bad_sid, EVE_ALERT)).json()
    assert answer["accepted"] == 1
    assert [r["line"] for r in answer["refusals"]] == [1, 2]
    assert "level" in answer["refusals"][0]["reason"]
    assert "signature_id" in answer["refusals"][1]["reason"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
KEYS = st.sampled_from(
    ["rule_id", "rule_title", "level", "matched", "event", "tags", "timestamp", "kind", "alert"]
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(KEYS, JSON, max_size=9),
    st.sampled_from(["json", "suricata"]),
    st.booleans(),
)
def test_any_record_is_telemetry_a_bounded_alert_or_an_input_error(
    payload: dict[str, Any], record_format: Any, eve: bool
) -> None:
    if eve:
        payload = {**payload, "event_type": "alert"}
    record = RawRecord(SourceRef("batch", 1), record_format, payload)
    try:
        body = tool_alert(record)
    except InputError:
        return
    if body is None:
        return
    assert body["level"] in ("informational", "low", "medium", "high", "critical")
    assert 0 < len(body["rule_id"]) <= 200 and 0 < len(body["title"]) <= 500
    assert len(body["event"]) <= 500 and len(body["digest"]) == 40
    json.dumps(body)
