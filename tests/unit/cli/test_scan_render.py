"""The detection record and the writers' encoding rules."""

from __future__ import annotations

import csv
import io
import pickle
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from shieldwall.cli.render import render_summary
from shieldwall.model.detection import AttackTechnique, Detection, Level
from shieldwall.model.errors import InputError, RuleError
from shieldwall.model.event import Event, SourceRef
from shieldwall.scan.encoders import (
    CsvEncoder,
    JsonlEncoder,
    detection_record,
    to_json,
    utc_iso,
)
from shieldwall.scan.summary import DetectionTally, ScanSummary


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "2024-01-02T03:04:05Z"),
        (datetime(2024, 1, 2, 3, 4, 5, 6000), "2024-01-02T03:04:05.006000Z"),
        (
            datetime(2024, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2))),
            "2024-01-02T03:04:05Z",
        ),
        (None, None),
    ],
)
def test_timestamps_are_utc_with_z(moment: datetime | None, text: str | None) -> None:
    assert utc_iso(moment) == text


_OFFSETS = st.builds(
    timezone,
    st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23)).map(
        lambda d: timedelta(minutes=d // timedelta(minutes=1))
    ),
)


@given(st.datetimes(timezones=_OFFSETS))
def test_any_aware_time_renders_as_the_same_instant_in_utc(moment: datetime) -> None:
    text = utc_iso(moment)
    assert text is not None and text.endswith("Z")
    assert datetime.fromisoformat(text) == moment


def _correlation() -> Detection:
    events = tuple(
        Event({"user": "bob"}, SourceRef("a.evtx", n), datetime(2024, 1, 1, 0, 0, n, tzinfo=UTC))
        for n in (1, 2)
    )
    return Detection(
        rule_id="c1", rule_title="Burst", level=Level.HIGH, tags=("attack.t1110",),
        timestamp=events[-1].timestamp, source=None, kind="value_count",
        group={"user": "bob"}, events=events, count=2,
        attack=(AttackTechnique("T1110", "Brute Force", ("credential-access",)),),
    )  # fmt: skip


def test_a_correlation_record_lists_its_events_by_reference() -> None:
    record = detection_record(_correlation())
    assert record["kind"] == "value_count"
    assert record["group"] == {"user": "bob"}
    assert record["count"] == 2
    assert record["events"] == [
        {"path": "a.evtx", "record_id": 1, "timestamp": "2024-01-01T00:00:01Z"},
        {"path": "a.evtx", "record_id": 2, "timestamp": "2024-01-01T00:00:02Z"},
    ]
    assert record["source"] is None and record["event"] is None


def test_a_rule_record_has_no_correlation_fields() -> None:
    detection = Detection("r", "R", Level.LOW, (), None, SourceRef("x", 3), {"a": 1})
    record = detection_record(detection)
    assert "count" not in record and "events" not in record
    assert record["source"] == {"path": "x", "record_id": 3}


def test_json_encodes_what_events_may_hold() -> None:
    value = {"b": b"\x01\xff", "s": {"x"}, "t": (1, 2), "n": None, 1: "int key"}
    assert orjson.loads(to_json(value)) == {
        "b": "01ff",
        "s": ["x"],
        "t": [1, 2],
        "n": None,
        "1": "int key",
    }


def test_jsonl_encodes_one_line_per_detection() -> None:
    encoder = JsonlEncoder()
    out = encoder.header() + encoder.encode(_correlation()) + encoder.encode(_correlation())
    lines = out.splitlines()
    assert [orjson.loads(line)["rule_id"] for line in lines] == ["c1", "c1"]


def test_csv_row_for_a_correlation() -> None:
    encoder = CsvEncoder()
    header, row = (encoder.header() + encoder.encode(_correlation())).decode().splitlines()
    assert header.startswith("timestamp,level,rule_id")
    assert "T1110" in row and "credential-access" in row and ',2,"{""user"":""bob""}"' in row


def test_csv_rows_encoded_apart_concatenate_into_one_valid_file() -> None:
    """Workers encode rows separately; the parent concatenates them: still one CSV."""
    first, second = CsvEncoder(), pickle.loads(pickle.dumps(CsvEncoder()))
    awkward = Detection("r", 'a "quoted",\nmulti-line', Level.LOW, (), None, SourceRef("x", 3))
    data = first.header() + first.encode(awkward) + second.encode(_correlation())
    rows = list(csv.DictReader(io.StringIO(data.decode(), newline="")))
    assert [row["rule_title"] for row in rows] == ['a "quoted",\nmulti-line', "Burst"]
    assert rows[1]["techniques"] == "T1110"


def test_a_tally_absorbs_another_as_if_it_had_counted_both() -> None:
    detections = [_correlation(), Detection("r", "R", Level.LOW, (), None, None)]
    alone, split, other = DetectionTally(), DetectionTally(), DetectionTally()
    for detection in detections:
        alone.count_detection(detection)
    split.count_detection(detections[0])
    other.count_detection(detections[1])
    split.absorb(other)
    assert split == alone
    assert alone.by_technique == {"T1110": 1} and alone.detections == 2


def test_summary_lists_every_rule_failure_and_groups_reasons() -> None:
    summary = ScanSummary(
        rules_loaded=5,
        rule_problems=[RuleError(f"bad modifier {n % 2}", source=f"r{n}.yml") for n in range(12)],
    )
    summary.count_problem(InputError("not JSON", source="x.log", place="line 9"))
    out = io.StringIO()
    render_summary(summary, Console(file=out, width=200))
    text = out.getvalue()
    assert "12 rule(s) could not be loaded" in text
    assert all(f"r{n}.yml" in text for n in range(12))
    assert "6  bad modifier 0" in text
    assert "x.log:line 9: not JSON" in text
