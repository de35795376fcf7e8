"""The EVTX reader over the shared corpus: every file reads, no event lost or invented."""

import gzip
from pathlib import Path

import evtx
import pytest

from shieldwall.ingest import discover_files, iter_records
from shieldwall.model.errors import InputError

pytestmark = pytest.mark.corpus


def _evtx_files(corpus_dir: Path) -> list[Path]:
    return [p for p in discover_files([corpus_dir / "evtx"]) if p.suffix == ".evtx"]


def _fail(problem: InputError) -> None:
    pytest.fail(str(problem))


def _package_count(path: Path) -> int:
    return sum(1 for _ in evtx.PyEvtxParser(str(path), 1).records_json())


def test_every_corpus_file_reads_with_the_packages_own_record_count(corpus_dir: Path) -> None:
    files = _evtx_files(corpus_dir)
    assert len(files) > 300
    mismatched: list[tuple[str, int, int]] = []
    problems: list[InputError] = []
    for path in files:
        ours = sum(1 for _ in iter_records(path, on_problem=problems.append))
        theirs = _package_count(path)
        if ours != theirs:
            mismatched.append((path.name, ours, theirs))
    assert problems == []
    assert mismatched == []


def test_record_ids_are_the_event_record_ids(corpus_dir: Path) -> None:
    path = _evtx_files(corpus_dir)[0]
    expected = [r["event_record_id"] for r in evtx.PyEvtxParser(str(path), 1).records_json()]
    ours = [r.source.record_id for r in iter_records(path, on_problem=_fail)]
    assert ours == expected


def test_gzipped_evtx_reads_like_the_plain_file(corpus_dir: Path, tmp_path: Path) -> None:
    path = _evtx_files(corpus_dir)[0]
    packed = tmp_path / "log.evtx.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    plain = [r.payload for r in iter_records(path, on_problem=_fail)]
    unpacked = [r.payload for r in iter_records(packed, on_problem=_fail)]
    assert unpacked == plain


def test_corrupted_evtx_reports_bad_records_and_keeps_the_good(
    corpus_dir: Path, tmp_path: Path
) -> None:
    path = max(_evtx_files(corpus_dir), key=lambda p: p.stat().st_size)
    data = bytearray(path.read_bytes())
    for offset in range(8192, len(data), 997):
        data[offset] ^= 0x5A
    damaged = tmp_path / "damaged.evtx"
    damaged.write_bytes(bytes(data))
    problems: list[InputError] = []
    records = list(iter_records(damaged, on_problem=problems.append))
    assert problems
    assert all(p.source == str(damaged) for p in problems)
    assert len(records) < _package_count(path)


def test_cut_corpus_files_keep_the_records_before_the_cut(corpus_dir: Path, tmp_path: Path) -> None:
    """Real files have string and template tables in their chunk headers that the project's
    writer leaves empty: cut three of them (the largest, two of one chunk) at offsets spread
    over each, plain and gzipped; every read is a prefix of the whole file's records."""
    files = sorted(_evtx_files(corpus_dir), key=lambda p: p.stat().st_size)
    picks = [files[-1], files[len(files) // 2], files[len(files) // 3]]
    cut_file = tmp_path / "cut.evtx"
    for path in picks:
        data = path.read_bytes()
        whole = [r.payload for r in iter_records(path, on_problem=_fail)]
        for step in range(1, 9):
            cut = 4096 + (len(data) - 4096) * step // 9 + step
            content = data[:cut]
            cut_file.write_bytes(gzip.compress(content, 1) if step % 2 else content)
            problems: list[InputError] = []
            read = [r.payload for r in iter_records(cut_file, on_problem=problems.append)]
            assert read == whole[: len(read)], (path.name, cut)
            assert [f"EVTX file cut at byte {cut:,}" in p.reason for p in problems] == [True]
