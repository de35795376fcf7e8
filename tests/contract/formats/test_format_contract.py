"""The reader and normaliser contract, one suite for every format in ``table.FORMATS``.

Each line of the table runs every test here: its sample must read cleanly into events of
its kind, and any input grown from the sample (see ``strategies.py``) must give records and
events or located ``InputError`` problems, never another exception, the same way twice.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.ingest.limits import SNIFF_BYTES
from shieldwall.ingest.sniff import sniff_layout
from shieldwall.model.errors import InputError
from shieldwall.model.event import Event, RecordFormat
from tests.contract.formats.harness import check_run, read_and_normalise, view
from tests.contract.formats.strategies import file_inputs
from tests.contract.formats.table import FORMATS, FormatCase

CASES = [pytest.param(case, id=case.name) for case in FORMATS]
FILE_EXAMPLES = 60


def _write(directory: Path, case: FormatCase, content: bytes, packing: str) -> Path:
    path = directory / case.file_name
    if packing == "gzip":
        content = gzip.compress(content, mtime=0)
    elif packing == "broken-gzip":
        packed = gzip.compress(content, mtime=0)
        content = packed[: max(2, len(packed) // 2)]
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("case", CASES)
def test_the_sample_is_taken_by_its_reader(case: FormatCase) -> None:
    assert sniff_layout(case.content[:SNIFF_BYTES]) == case.layout


@pytest.mark.parametrize("packing", ["plain", "gzip"])
@pytest.mark.parametrize("case", CASES)
def test_the_sample_reads_cleanly_into_events_of_its_kind(
    case: FormatCase, packing: str, tmp_path: Path
) -> None:
    path = _write(tmp_path, case, case.content, packing)

    run = read_and_normalise(path, None)

    check_run(run, path)
    assert run.problems == []
    assert len(run.records) >= 2
    assert {record.format for record in run.records} == {case.normaliser}
    assert all(isinstance(outcome, Event) for outcome in run.outcomes), run.outcomes
    events = [outcome for outcome in run.outcomes if isinstance(outcome, Event)]
    assert {event.format for event in events} == {case.event_format}
    assert all(event.timestamp is not None for event in events)
    assert all(len(event.fields) >= 3 for event in events)


@pytest.mark.parametrize("case", CASES)
def test_forcing_the_samples_own_format_changes_nothing(case: FormatCase, tmp_path: Path) -> None:
    path = _write(tmp_path, case, case.content, "plain")

    assert view(read_and_normalise(path, case.normaliser)) == view(read_and_normalise(path, None))


@pytest.mark.parametrize("case", CASES)
@settings(
    max_examples=FILE_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_input_gives_events_or_located_input_errors_the_same_way_twice(
    case: FormatCase, tmp_path: Path, data: st.DataObject
) -> None:
    content = data.draw(file_inputs(case), label="content")
    packing = data.draw(st.sampled_from(["plain", "plain", "gzip", "broken-gzip"]), "packing")
    forced: RecordFormat | None = data.draw(st.sampled_from([None, case.normaliser]), "forced")
    path = _write(tmp_path, case, content, packing)

    first = read_and_normalise(path, forced)
    check_run(first, path)
    second = read_and_normalise(path, forced)

    assert view(second) == view(first)


def test_a_located_input_error_is_what_a_bad_record_gives(tmp_path: Path) -> None:
    """The harness itself: a broken line is reported at its place, the others still read."""
    case = next(case for case in FORMATS if case.name == "suricata-eve")
    lines = case.content.splitlines(keepends=True)
    path = _write(tmp_path, case, lines[0] + b"{broken\n" + lines[1], "plain")

    run = read_and_normalise(path, None)

    check_run(run, path)
    assert [(type(p), p.place) for p in run.problems] == [(InputError, "line 2")]
    assert [record.source.record_id for record in run.records] == [1, 3]
