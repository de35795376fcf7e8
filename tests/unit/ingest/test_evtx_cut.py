"""An EVTX file cut anywhere yields exactly the records that are whole, and names the cut.

The files are the project's own (written by ``tests/contract/formats/evtx_writer.py``, three
chunks of Security events); a property test cuts them at every kind of offset: in the file
header, on a chunk boundary, in a chunk header, inside a record, in a chunk's unused space,
plain and gzipped. Before, a file of one chunk cut anywhere gave 0 events and no problem.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.ingest import iter_records
from shieldwall.ingest.evtx_chunks import CHUNK_SIZE, FILE_HEADER
from shieldwall.model.errors import InputError
from tests.contract.formats.evtx_writer import evtx_file, record_ends
from tests.contract.formats.table import SECURITY_EVENTS

PER_CHUNK = 5
DATA = evtx_file(SECURITY_EVENTS * 4, per_chunk=PER_CHUNK)
"""Twelve records in three chunks (5, 5, 2): 200,704 bytes."""
ENDS = record_ends(DATA)


def _read(tmp_path: Path, content: bytes, *, gz: bool) -> tuple[list, list[InputError]]:
    path = tmp_path / "cut.evtx"
    path.write_bytes(gzip.compress(content, 1) if gz else content)
    problems: list[InputError] = []
    records = list(iter_records(path, on_problem=problems.append, fmt="evtx"))
    assert all(problem.source == str(path) for problem in problems)
    return records, problems


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> list:
    """The records of the uncut file, which reads without a problem."""
    records, problems = _read(tmp_path_factory.mktemp("whole"), DATA, gz=False)
    assert problems == []
    assert [record.source.record_id for record in records] == list(range(1, 13))
    return records


def _chunk_of(offset: int) -> int:
    return (offset - FILE_HEADER) // CHUNK_SIZE + 1


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cut=st.one_of(
        st.integers(min_value=0, max_value=len(DATA) - 1),
        st.sampled_from([0, FILE_HEADER - 1, FILE_HEADER, FILE_HEADER + CHUNK_SIZE]),
        st.sampled_from(ENDS[:-1]).flatmap(lambda end: st.integers(end - 3, end + 3)),
    ),
    gz=st.booleans(),
)
def test_a_cut_file_yields_its_whole_records_and_one_problem_naming_the_cut(
    tmp_path: Path, full: list, cut: int, gz: bool
) -> None:
    records, problems = _read(tmp_path, DATA[:cut], gz=gz)

    whole = [number for number, end in enumerate(ENDS, 1) if end <= cut]
    assert [record.source.record_id for record in records] == whole
    assert [record.payload for record in records] == [r.payload for r in full[: len(whole)]]
    (problem,) = problems
    assert f"EVTX file cut at byte {cut:,}" in problem.reason
    if cut < FILE_HEADER:
        assert problem.place == "file"
    else:
        assert problem.place == f"chunk {_chunk_of(cut)}"


@pytest.mark.parametrize(
    ("cut", "place", "words"),
    [
        (100, "file", "inside the file header: nothing to read"),
        (FILE_HEADER + CHUNK_SIZE, "chunk 2", "after 1 whole chunk(s) of the 3 its header counts"),
        (FILE_HEADER + CHUNK_SIZE + 200, "chunk 2", "in its header, no record of it read"),
        (ENDS[6] + 10, "chunk 2", "2 whole record(s) of the 5 it held read, the rest lost"),
        (ENDS[9] + 10, "chunk 2", "all 5 record(s) of it read (only its unused space was cut)"),
    ],
)
def test_the_problem_says_what_was_kept(tmp_path: Path, cut: int, place: str, words: str) -> None:
    _, problems = _read(tmp_path, DATA[:cut], gz=False)
    (problem,) = problems
    assert problem.place == place
    assert words in problem.reason


def test_a_cut_that_loses_later_chunks_says_so(tmp_path: Path) -> None:
    _, (problem,) = _read(tmp_path, DATA[: ENDS[2] + 1], gz=True)
    assert "2 more chunk(s) its header counts are missing" in problem.reason
