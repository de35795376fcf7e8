"""iter_records: one file, plain or gzip, format from content or forced; problems reported."""

import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.ingest import iter_records
from shieldwall.ingest.limits import MAX_PROBLEMS_PER_FILE, SNIFF_BYTES
from shieldwall.ingest.opener import open_bytes
from shieldwall.ingest.records import _read_head
from shieldwall.ingest.sniff import EVTX_MAGIC
from shieldwall.model.errors import InputError
from shieldwall.model.event import RawRecord, RecordFormat
from shieldwall.normalise import normalise

SURICATA = b'{"timestamp": "2019-01-01T00:00:00.000000+0000", "event_type": "dns"}\n'
ZEEK_JSON = b'{"ts": 1.5, "uid": "C1", "id.orig_h": "10.0.0.1"}\n'
ECS = b'{"@timestamp": "2024-01-01T00:00:00Z", "source": {"ip": "10.0.0.1"}}\n'
SYSLOG = b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed\n"
CEF = b"CEF:0|Vendor|Product|1.0|100|Name|5|src=10.0.0.1\n"
ZEEK_TSV = b"#separator \\x09\n#path\tdns\n#fields\tts\tquery\n#types\ttime\tstring\n1.0\tx.org\n"


def _read(path: Path, fmt: RecordFormat | None = None) -> tuple[list[RawRecord], list[InputError]]:
    problems: list[InputError] = []
    records = list(iter_records(path, fmt=fmt, on_problem=problems.append))
    return records, problems


def _write(tmp_path: Path, name: str, content: bytes, *, gz: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes(gzip.compress(content) if gz else content)
    return path


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize(
    ("content", "formats"),
    [
        (SURICATA + ZEEK_JSON + ECS, ["suricata", "zeek", "json"]),
        (SYSLOG + CEF, ["syslog", "cef"]),
        (ZEEK_TSV, ["zeek"]),
    ],
)
def test_format_of_each_record_comes_from_content(
    tmp_path: Path, content: bytes, formats: list[str], gz: bool
) -> None:
    path = _write(tmp_path, "no-telling-name.dat", content, gz=gz)
    records, problems = _read(path)
    assert [r.format for r in records] == formats
    assert problems == []
    assert all(r.source.path == str(path) for r in records)


def test_forced_format_overrides_detection(tmp_path: Path) -> None:
    records, _ = _read(_write(tmp_path, "x.log", SURICATA + ECS), fmt="json")
    assert [r.format for r in records] == ["json", "json"]


def test_forced_zeek_reads_tsv_that_opens_with_a_comment(tmp_path: Path) -> None:
    """A comment line before the header hid the TSV layout; ``--input-format zeek`` fell to JSON."""
    content = b"# cut from conn.log on sensor 3\n#path\tdns\n#fields\tts\tquery\n1.0\tx.org\n"
    records, problems = _read(_write(tmp_path, "cut.txt", content), fmt="zeek")
    assert problems == []
    assert [(r.format, r.payload) for r in records] == [("zeek", {"ts": "1.0", "query": "x.org"})]


def test_records_carry_their_line_numbers_blank_lines_counted(tmp_path: Path) -> None:
    records, _ = _read(_write(tmp_path, "x.jsonl", ECS + b"\n\n" + ECS))
    assert [r.source.record_id for r in records] == [1, 4]


def test_corrupt_json_line_is_reported_with_its_line_and_reading_goes_on(tmp_path: Path) -> None:
    records, problems = _read(_write(tmp_path, "x.jsonl", ECS + b"{not json\n[1, 2]\n" + ECS))
    assert len(records) == 2
    assert [(p.source, p.place) for p in problems] == [
        (str(tmp_path / "x.jsonl"), "line 2"),
        (str(tmp_path / "x.jsonl"), "line 3"),
    ]
    assert "not an object" in problems[1].reason


def test_overlong_line_is_cut_off_and_reported(tmp_path: Path) -> None:
    huge = b'{"a": "' + b"x" * (1 << 20) + b'"}\n'
    records, problems = _read(_write(tmp_path, "x.jsonl", ECS + huge + ECS))
    assert [r.source.record_id for r in records] == [1, 3]
    assert [p.place for p in problems] == ["line 2"]
    assert "longer than" in problems[0].reason


def test_unreadable_file_is_reported_once(tmp_path: Path) -> None:
    records, problems = _read(tmp_path / "missing.log")
    assert records == []
    assert [(p.place, "cannot read" in p.reason) for p in problems] == [("file", True)]


def test_unrecognised_content_is_reported_once(tmp_path: Path) -> None:
    records, problems = _read(_write(tmp_path, "notes.txt", b"dear diary\n" * 50))
    assert records == []
    assert [p.reason for p in problems] == ["format not recognised"]


def test_a_file_of_nothing_but_bad_records_is_abandoned(tmp_path: Path) -> None:
    bad = b"{bad\n" * (MAX_PROBLEMS_PER_FILE + 50)
    records, problems = _read(_write(tmp_path, "x.jsonl", bad))
    assert records == []
    assert len(problems) == MAX_PROBLEMS_PER_FILE + 1
    assert problems[-1].place == "file"


def test_truncated_gzip_is_reported_after_the_records_before_the_damage(tmp_path: Path) -> None:
    packed = gzip.compress(ECS * 2000)
    path = _write(tmp_path, "x.gz", packed[: len(packed) // 2])
    records, problems = _read(path)
    assert 0 < len(records) < 2000
    assert [p.place for p in problems] == ["file"]


def test_garbage_with_evtx_magic_is_reported_not_raised(tmp_path: Path) -> None:
    records, problems = _read(_write(tmp_path, "x.evtx", b"ElfFile\x00" + b"\xff" * 5000))
    assert records == []
    assert [p.place for p in problems] == ["chunk 1", "file"]
    assert "912 bytes that are not a chunk" in problems[0].reason


FORMATS: list[RecordFormat | None] = [None, "json", "zeek", "suricata", "syslog", "cef", "evtx"]
PREFIXES = [b"", b"{", b"#fields\t", b"<13>", b"CEF:0|", b"ElfFile\x00", b"<13>1 "]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    prefix=st.sampled_from(PREFIXES),
    body=st.binary(max_size=600),
    fmt=st.sampled_from(FORMATS),
    gz=st.booleans(),
)
def test_any_bytes_give_records_or_input_errors_never_a_crash(
    tmp_path: Path, prefix: bytes, body: bytes, fmt: RecordFormat | None, gz: bool
) -> None:
    path = _write(tmp_path, "fuzz.bin", prefix + body, gz=gz)
    problems: list[InputError] = []
    for record in iter_records(path, fmt=fmt, on_problem=problems.append):
        try:
            event = normalise(record)
        except InputError as err:
            problems.append(err)
        else:
            assert event.source.path == str(path)
    assert all(p.source == str(path) for p in problems)
    assert all(_is_place(p.place) for p in problems)


def _is_place(place: str) -> bool:
    kind, _, number = place.partition(" ")
    return place == "file" or (kind in ("line", "record", "chunk") and number.isdigit())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.binary(max_size=9000), gz=st.booleans())
def test_open_bytes_gives_every_byte_from_the_start_plain_or_gzip(
    tmp_path: Path, content: bytes, gz: bool
) -> None:
    """One open peeks at the magic without consuming it: plain content (even one starting
    with the gzip magic's first byte) and gzip content read back whole."""
    path = tmp_path / "blob"
    path.write_bytes(gzip.compress(content) if gz else content)
    stream = open_bytes(path)
    try:
        assert stream.read() == content
    finally:
        stream.close()


def test_the_head_of_an_evtx_file_stops_at_its_first_4_kib(tmp_path: Path) -> None:
    """EVTX is known by its magic; the rest of a 64 KiB head would change nothing."""
    path = _write(tmp_path, "x.evtx", EVTX_MAGIC + bytes(70_000))
    assert _read_head(path) == (EVTX_MAGIC + bytes(70_000))[:4096]
    other = _write(tmp_path, "x.log", SYSLOG * 2000)
    assert _read_head(other) == (SYSLOG * 2000)[:SNIFF_BYTES]
