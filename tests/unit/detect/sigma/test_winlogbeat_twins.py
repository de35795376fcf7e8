"""A Sysmon process creation fires the same SigmaHQ rules raw and after Winlogbeat 8 (corpus).

The samples (``tests/fixtures/samples/windows``) are written by hand: five Sysmon EventID 1
events in the ``evtx`` package's JSON, and their twins as Winlogbeat 8's Sysmon ingest
pipeline leaves them (``Image`` in ``process.executable``, ``User`` split into
``user.domain``/``user.name``, ``Hashes`` into ``process.hash.*``/``process.pe.imphash``).
Before the ECS names were mapped back, the twins fired none of these rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.loader import load_rules
from shieldwall.ingest import iter_records
from shieldwall.model.errors import InputError
from shieldwall.model.event import Event
from shieldwall.normalise import normalise

pytestmark = pytest.mark.corpus

SAMPLES = Path(__file__).resolve().parents[3] / "fixtures" / "samples" / "windows"
EXPECTED = {
    "Whoami.EXE Execution From Privileged Process": 0,
    "Suspicious Download Via Certutil.EXE": 1,
    "HackTool - LocalPotato Execution": 2,
    "Process Memory Dump Via Comsvcs.DLL": 3,
    "Suspicious PowerShell Encoded Command Patterns": 4,
}
"""Rules each sample must fire (title → sample index), among those fired on both forms."""


def _events(path: Path) -> list[Event]:
    problems: list[InputError] = []
    events = [normalise(r) for r in iter_records(path, on_problem=problems.append)]
    assert problems == []
    return events


@pytest.fixture(scope="module")
def engine(corpus_dir: Path) -> Engine:
    folders = sorted(corpus_dir.glob("sigma/rules*/windows/process_creation"))
    ruleset = load_rules(folders)
    assert len(ruleset.rules) > 1000
    return Engine(ruleset)


def test_winlogbeat_8_twins_fire_what_the_raw_events_fire(engine: Engine) -> None:
    raw = _events(SAMPLES / "sysmon-process-creation.jsonl")
    twins = _events(SAMPLES / "sysmon-process-creation.winlogbeat8.ndjson")
    assert len(raw) == len(twins) == 5
    fired_raw = [sorted(d.rule_title for d in engine.match(e)) for e in raw]
    fired_twin = [sorted(d.rule_title for d in engine.match(e)) for e in twins]
    assert fired_twin == fired_raw
    for title, index in EXPECTED.items():
        assert title in fired_raw[index], (title, fired_raw[index])
