"""Encoded output: with ``--jobs N`` the workers encode; the output and counts must not change.

The reference is the in-process scan that encodes each detection in the parent; a parallel
scan, where workers encode most lines and send only correlated rules' detections whole, must
write the same lines (in another file order) and count the same.
"""

from __future__ import annotations

import json
import pickle
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from shieldwall.detect.attack import AttackCatalogue
from shieldwall.model.detection import AttackTechnique, Detection, Level
from shieldwall.model.errors import ShieldwallError
from shieldwall.model.event import Event, SourceRef
from shieldwall.scan.encoders import (
    CsvEncoder,
    DetectionEncoder,
    JsonlEncoder,
    detection_record,
    to_json,
)
from shieldwall.scan.run import scan
from shieldwall.scan.summary import ScanSummary
from tests.unit.scan.scan_fakes import FAKE_STAGES, write_log, write_rule


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    directory = tmp_path / "rules"
    write_rule(directory, "ps", "powershell", tags=["attack.t1059.001"])
    write_rule(directory, "who", "whoami", level="high")
    write_rule(directory, "net", "net user", level="low")
    return directory


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    directory = tmp_path / "logs"
    lines = ["powershell whoami", "net user x", "calc", "whoami", None, "powershell -enc"]
    # five detections per six lines: ps+who, net, who, ps
    for number in range(6):
        write_log(directory / f"{number}.log", lines * (number + 1) * 60)
    return directory


def _encoded(
    logs: Path, rules: Path, catalogue: AttackCatalogue, encoder: DetectionEncoder, jobs: int
) -> tuple[bytes, ScanSummary]:
    run = scan([logs], [rules], stages=FAKE_STAGES, catalogue=catalogue, jobs=jobs, encoder=encoder)
    return b"".join(run.encoded()), run.summary


def _counts(summary: ScanSummary) -> tuple[object, ...]:
    return (
        summary.files,
        summary.events,
        summary.detections,
        summary.by_level,
        summary.by_rule,
        summary.by_technique,
        summary.rule_titles,
    )


def _base_lines(output: bytes) -> Counter[bytes]:
    """Lines of base detections (the fake correlation depends on arrival order; Sigma's
    does not, see test_scan_correlation_order)."""
    return Counter(line for line in output.splitlines() if b'"rule_id":"burst"' not in line)


@pytest.mark.parametrize("hide_base", [False, True])
def test_workers_encode_the_same_jsonl_lines_and_counts(
    logs: Path, rules: Path, catalogue: AttackCatalogue, hide_base: bool
) -> None:
    spec = {"id": "burst", "title": "Burst", "correlation": "who", "count": 50}
    (rules / "burst.json").write_text(json.dumps({**spec, "hide_base": hide_base}), "utf-8")
    serial, serial_summary = _encoded(logs, rules, catalogue, JsonlEncoder(), jobs=1)
    parallel, summary = _encoded(logs, rules, catalogue, JsonlEncoder(), jobs=3)
    assert _base_lines(parallel) == _base_lines(serial)
    assert _counts(summary) == _counts(serial_summary)
    records = [orjson.loads(line) for line in parallel.splitlines()]
    assert ("who" in {record["rule_id"] for record in records}) is not hide_base
    assert [r["count"] for r in records if r["rule_id"] == "burst"] == [50]
    assert {t["id"] for r in records if r["rule_id"] == "ps" for t in r["attack"]} == {"T1059.001"}


def test_within_a_file_lines_keep_record_order_around_correlated_detections(
    logs: Path, rules: Path, catalogue: AttackCatalogue
) -> None:
    """``who`` detections cross whole, the others as bytes: the file's order still holds."""
    (rules / "burst.json").write_text(
        json.dumps({"id": "burst", "title": "B", "correlation": "who", "count": 10**6}), "utf-8"
    )
    output, _ = _encoded(logs, rules, catalogue, JsonlEncoder(), jobs=2)
    by_file: dict[str, list[int]] = {}
    for line in output.splitlines():
        source = orjson.loads(line)["source"]
        by_file.setdefault(source["path"], []).append(source["record_id"])
    assert len(by_file) == 6
    assert all(ids == sorted(ids) for ids in by_file.values())
    assert sum(map(len, by_file.values())) == 5 * 60 * (1 + 2 + 3 + 4 + 5 + 6)


def test_csv_from_workers_is_one_file_with_one_header(
    logs: Path, rules: Path, catalogue: AttackCatalogue
) -> None:
    serial, _ = _encoded(logs, rules, catalogue, CsvEncoder(), jobs=1)
    parallel, _ = _encoded(logs, rules, catalogue, CsvEncoder(), jobs=2)
    serial_lines, parallel_lines = serial.decode().splitlines(), parallel.decode().splitlines()
    assert parallel_lines[0] == serial_lines[0] and parallel_lines[0].startswith("timestamp,")
    assert sum(line.startswith("timestamp,") for line in parallel_lines) == 1
    assert Counter(parallel_lines) == Counter(serial_lines)


def test_an_encoding_run_is_not_iterated_for_detections(logs, rules, catalogue) -> None:
    run = scan([logs], [rules], stages=FAKE_STAGES, catalogue=catalogue, encoder=JsonlEncoder())
    with pytest.raises(ShieldwallError, match="encoded"):
        list(run)
    plain = scan([logs], [rules], stages=FAKE_STAGES, catalogue=catalogue)
    with pytest.raises(ShieldwallError, match="no encoder"):
        list(plain.encoded())


def _detection(rule_id: str, **changes: object) -> Detection:
    event = Event({"EventID": 1, "Image": "C:\\x\\ü.exe", "n": None}, SourceRef("a.evtx", 7), None)
    detection = Detection(
        rule_id=rule_id,
        rule_title='Title "quoted"',
        level=Level.HIGH,
        tags=("attack.t1059",),
        timestamp=datetime(2024, 3, 5, 7, 42, tzinfo=UTC),
        source=event.source,
        matched={"Image": event.fields["Image"]},
        event=event,
        attack=(AttackTechnique("T1059", "Command and Scripting Interpreter", ("execution",)),),
    )
    for name, value in changes.items():
        setattr(detection, name, value)
    return detection


def test_jsonl_lines_are_the_records_bytes_whatever_the_rule_parts_kept() -> None:
    """The per-rule head and tail the JSONL encoder keeps give the bytes of the whole record,
    for a rule seen again, a rule with a name, a rule id whose title or techniques differ
    (the kept parts are not reused), a correlation, and a missing timestamp and event."""
    encoder = JsonlEncoder()
    detections = [
        _detection("r1"),
        _detection("r1", matched={"EventID": 1}, timestamp=None),
        _detection("r2", rule_name="named_rule"),
        _detection("r2", rule_name="named_rule", event=None, source=None),
        _detection("r1", rule_title="Another title"),
        _detection("r1", attack=()),
        _detection("r1", kind="event_count", group={"Image": "x"}, count=3),
    ]
    for detection in detections * 2:
        line = encoder.encode(detection)
        assert line == to_json(detection_record(detection)) + b"\n"
        assert orjson.loads(line)["rule_title"] == detection.rule_title
    assert orjson.loads(encoder.encode(detections[2]))["rule_name"] == "named_rule"
    assert pickle.loads(pickle.dumps(encoder))._parts == {}
