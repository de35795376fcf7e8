"""Correlation in a scan (real readers, engine and correlator) does not depend on file order
or on --jobs: detections are replayed in time order at the end (checklist R10, R9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shieldwall.scan.run import scan

RULES = """
title: Failed login
id: 5e0c1b52-6a3e-4c1c-9d1a-4b1f0f6b8a11
name: failed_login
status: test
level: low
logsource:
    product: linux
    service: auth
detection:
    selection:
        message|contains: 'authentication failure'
    condition: selection
---
title: Password spraying on one host
id: 0f0a7d1e-2b8c-4f8e-9b6a-0d2b7e9c1f22
status: test
level: high
correlation:
    type: event_count
    rules:
        - failed_login
    group-by:
        - host.hostname
    timespan: 10m
    condition:
        gte: 3
"""


def _write(path: Path, lines: list[tuple[str, str]]) -> None:
    events = [  # Filebeat's system module, auth dataset: a Linux auth log as ECS
        {
            "@timestamp": stamp,
            "event": {"dataset": "system.auth"},
            "host": {"hostname": host, "os": {"type": "linux"}},
            "message": "pam: authentication failure",
        }
        for stamp, host in lines
    ]
    path.write_text("".join(json.dumps(event) + "\n" for event in events), encoding="utf-8")


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path, Path]:
    rules = tmp_path / "rules.yml"
    rules.write_text(RULES, encoding="utf-8")
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    # web1 fails at 10:00 and 10:01 in one file, 10:05 in the other: 3 in 10 minutes.
    # web2 fails at 10:00 and 10:30: never 3 in 10 minutes.
    _write(
        first,
        [
            ("2026-11-01T10:00:00Z", "web1"),
            ("2026-11-01T10:01:00Z", "web1"),
            ("2026-11-01T10:00:00Z", "web2"),
        ],
    )
    _write(second, [("2026-11-01T10:05:00Z", "web1"), ("2026-11-01T10:30:00Z", "web2")])
    return rules, first, second


def _correlations(paths: list[Path], rules: Path, jobs: int) -> list[tuple[str, object]]:
    run = scan(paths, [rules], jobs=jobs)
    found = [(d.rule_id, d.group.get("host.hostname")) for d in run if d.kind == "event_count"]
    return sorted(found, key=str)


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("reverse", [False, True])
def test_a_burst_split_across_files_is_found_whatever_the_order(
    folders: tuple[Path, Path, Path], jobs: int, reverse: bool
) -> None:
    rules, first, second = folders
    paths = [second, first] if reverse else [first, second]
    assert _correlations(paths, rules, jobs) == [("0f0a7d1e-2b8c-4f8e-9b6a-0d2b7e9c1f22", "web1")]
