"""On the real corpus and rules, ``--jobs 2`` writes exactly what ``--jobs 1`` writes.

The workers encode most detections themselves; those of the rule the fixture correlation
takes cross to the parent whole. The JSONL lines (as a multiset: file order differs) and
every count must be the same either way, the correlation's output included.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest

from shieldwall.scan.encoders import JsonlEncoder
from shieldwall.scan.run import scan
from shieldwall.scan.summary import ScanSummary

CORRELATIONS = Path(__file__).parents[2] / "fixtures" / "scan" / "correlations"


def _scan(corpus_dir: Path, jobs: int) -> tuple[list[bytes], ScanSummary]:
    rules = [corpus_dir / "sigma" / "rules" / "windows", CORRELATIONS]
    run = scan([corpus_dir / "evtx"], rules, jobs=jobs, encoder=JsonlEncoder())
    return b"".join(run.encoded()).splitlines(), run.summary


@pytest.fixture(scope="module")
def both(corpus_dir: Path) -> dict[int, tuple[list[bytes], ScanSummary]]:
    return {jobs: _scan(corpus_dir, jobs) for jobs in (1, 2)}


@pytest.mark.corpus
def test_two_jobs_write_the_same_lines(both: dict[int, tuple[list[bytes], ScanSummary]]) -> None:
    serial, parallel = both[1][0], both[2][0]
    assert len(serial) > 1900
    assert Counter(parallel) == Counter(serial)


@pytest.mark.corpus
def test_the_rule_the_correlation_takes_is_not_written(
    both: dict[int, tuple[list[bytes], ScanSummary]],
) -> None:
    """Without ``generate: true`` the base rule's 3,562 detections feed the correlation only."""
    for lines, summary in both.values():
        assert not any(b"72124974-a68b-4366-b990-d30e0b2a190d" in line[:60] for line in lines)
        assert "72124974-a68b-4366-b990-d30e0b2a190d" not in summary.by_rule


@pytest.mark.corpus
def test_two_jobs_count_the_same(both: dict[int, tuple[list[bytes], ScanSummary]]) -> None:
    serial, parallel = both[1][1], both[2][1]
    for name in ("files", "events", "detections", "by_level", "by_rule", "by_technique"):
        assert getattr(parallel, name) == getattr(serial, name), name
    assert parallel.rules_loaded == serial.rules_loaded == 2408


@pytest.mark.corpus
def test_the_correlation_fires_on_the_corpus(
    both: dict[int, tuple[list[bytes], ScanSummary]],
) -> None:
    records = [orjson.loads(line) for line in both[2][0] if b'"kind":"event_count"' in line]
    assert records, "the SMB guessing file holds 3,562 Metasploit SMB authentications"
    assert all(record["count"] >= 100 and record["group"]["Computer"] for record in records)
    assert {record["rule_id"] for record in records} == {"5d1c0f59-6a4b-4d5e-9a43-1c7f3f0b8e21"}
