"""The detections on the EVTX corpus are stable: per-rule counts match the reviewed record.

When a change is meant to alter detections, regenerate the record with
``tests/tools/make_expected_corpus_summary.py`` and review the diff (see the README next to
the fixture). A failure lists the rules whose counts moved.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.tools.make_expected_corpus_summary import FIXTURE, corpus_summary


@pytest.fixture(scope="module")
def scanned(corpus_dir: Path) -> dict:
    return corpus_summary(corpus_dir)


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.mark.corpus
def test_every_file_and_event_is_read(scanned: dict, expected: dict) -> None:
    assert (scanned["files"], scanned["events"]) == (expected["files"], expected["events"])


@pytest.mark.corpus
def test_rules_load_as_recorded(scanned: dict, expected: dict) -> None:
    assert scanned["rules_loaded"] == expected["rules_loaded"]
    assert scanned["rules_failed"] == expected["rules_failed"]


@pytest.mark.corpus
def test_per_rule_counts_are_as_recorded(scanned: dict, expected: dict) -> None:
    now, then = scanned["by_rule"], expected["by_rule"]
    moved = {
        rule_id: (then.get(rule_id, {}).get("count", 0), now.get(rule_id, {}).get("count", 0))
        for rule_id in now.keys() | then.keys()
        if now.get(rule_id) != then.get(rule_id)
    }
    assert moved == {}, f"rule: (recorded, now) for {len(moved)} rules"
    assert scanned["detections"] == expected["detections"]
