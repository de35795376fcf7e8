"""Linux audit logs: one record per event, records joined by time and serial."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.ingest import iter_records
from shieldwall.ingest.auditd import MAX_OPEN, MAX_RECORDS
from shieldwall.ingest.sniff import sniff_layout
from shieldwall.model.errors import InputError
from shieldwall.model.event import RawRecord


def _line(
    serial: int, kind: str = "SYSCALL", body: str = "pid=1", stamp: str = "1717243512.381"
) -> str:
    return f"type={kind} msg=audit({stamp}:{serial}): {body}"


def _read(tmp_path: Path, lines: list[str]) -> tuple[list[RawRecord], list[InputError]]:
    path = tmp_path / "audit.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems: list[InputError] = []
    return list(iter_records(path, on_problem=problems.append)), problems


def test_records_of_one_event_are_joined_and_numbered_by_their_first_line(tmp_path: Path) -> None:
    lines = [_line(1), _line(1, "EXECVE"), _line(2), _line(2, "CWD"), _line(2, "PROCTITLE")]
    records, problems = _read(tmp_path, lines)
    assert problems == []
    assert [(r.format, r.source.record_id) for r in records] == [("auditd", 1), ("auditd", 3)]
    assert records[0].payload == "\n".join(lines[:2])
    assert records[1].payload == "\n".join(lines[2:])


def test_interleaved_events_are_kept_apart_and_eoe_closes_one(tmp_path: Path) -> None:
    lines = [_line(1), _line(2), _line(1, "PATH"), _line(2, "PATH"), _line(1, "EOE", "")]
    records, _ = _read(tmp_path, lines)
    assert [r.payload for r in records] == [
        "\n".join([lines[0], lines[2]]),
        "\n".join([lines[1], lines[3]]),
    ]


def test_the_same_serial_at_another_time_is_another_event(tmp_path: Path) -> None:
    records, _ = _read(tmp_path, [_line(7), _line(7, stamp="1717243999.000")])
    assert len(records) == 2


def test_a_line_that_is_not_audit_is_reported_at_its_place(tmp_path: Path) -> None:
    records, problems = _read(tmp_path, [_line(1), "hello world", _line(1, "CWD")])
    assert [(p.place, "audit" in p.reason) for p in problems] == [("line 2", True)]
    assert len(records) == 1


def test_open_events_and_records_per_event_are_bounded(tmp_path: Path) -> None:
    many_events = [_line(serial) for serial in range(MAX_OPEN + 5)]
    records, _ = _read(tmp_path, many_events)
    assert [r.source.record_id for r in records] == list(range(1, MAX_OPEN + 6))
    long_event = [_line(1, "PATH", f"item={n}") for n in range(MAX_RECORDS + 3)]
    records, _ = _read(tmp_path, long_event)
    assert [len(str(r.payload).split("\n")) for r in records] == [MAX_RECORDS, 3]


def test_sniffed_with_or_without_node() -> None:
    assert sniff_layout(_line(1).encode()) == "auditd_lines"
    assert sniff_layout(b"node=web01 " + _line(1).encode()) == "auditd_lines"
    assert sniff_layout(b"type=SYSCALL msg=hello") is None


LINE_PARTS = st.sampled_from(
    ["type=", "SYSCALL", " msg=audit(", "1717243512", ".", "381", ":", "42", "):", " ", "a0=",
     '"', "'", "\x1d", "\n", "node=x ", "EOE", "\x00", "é", "ff" * 3]
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(st.lists(LINE_PARTS, max_size=14).map("".join), max_size=30))
def test_hostile_lines_give_records_or_located_problems(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "audit.log"
    path.write_text("\n".join([_line(1), *lines]), encoding="utf-8")
    problems: list[InputError] = []
    records = list(iter_records(path, fmt="auditd", on_problem=problems.append))
    assert all(p.place.startswith(("line ", "file")) and p.source == str(path) for p in problems)
    assert all(isinstance(r.payload, str) and r.source.record_id for r in records)
