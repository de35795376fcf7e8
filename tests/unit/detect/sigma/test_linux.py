"""SigmaHQ's Linux rules on Linux audit and Sysmon for Linux events (issue 13).

The samples are the project's own (``tests/fixtures/formats/linux``: an auditd log and a
Sysmon for Linux syslog file, written in the shapes those tools write, nothing copied).
Every rule of the SigmaHQ Linux tree for auditd and the three Sysmon categories loads, and
over the samples exactly the rules listed here fire, each on the event it is about.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.loader import RuleSet, load_rules
from shieldwall.ingest import iter_records
from shieldwall.model.errors import InputError
from shieldwall.normalise import normalise

SAMPLES = Path(__file__).resolve().parents[3] / "fixtures" / "formats" / "linux"
LINUX_FOLDERS = ("auditd", "process_creation", "network_connection", "file_event")
EXPECTED: dict[tuple[str, int], set[str]] = {
    ("audit.log", 1): {
        "Remove Immutable File Attribute - Auditd",
        "Code Injection by ld.so Preload",
    },
    ("audit.log", 7): {"ASLR Disabled Via Sysctl or Direct Syscall - Linux"},
    ("audit.log", 12): set(),
    ("audit.log", 16): set(),
    ("audit.log", 17): {"Linux Keylogging with Pam.d", "Password Policy Discovery - Linux"},
    ("sysmon.log", 1): {"Remove Immutable File Attribute", "Code Injection by ld.so Preload"},
    ("sysmon.log", 2): {
        "Potential Netcat Reverse Shell Execution",
        "Linux Network Service Scanning Tools Execution",
    },
    ("sysmon.log", 3): {
        "Linux Reverse Shell Indicator",
        "Potentially Suspicious Malware Callback Communication - Linux",
    },
    ("sysmon.log", 4): {"New Cron File Created"},
    ("sysmon.log", 5): set(),
}
"""(sample, first line of the event) → titles of the rules that fire on it."""


@pytest.fixture(scope="module")
def linux_rules(corpus_dir: Path) -> RuleSet:
    return load_rules([corpus_dir / "sigma" / "rules" / "linux"])


@pytest.mark.corpus
def test_the_linux_rules_for_auditd_and_sysmon_categories_all_load(corpus_dir: Path) -> None:
    linux = corpus_dir / "sigma" / "rules" / "linux"
    ruleset = load_rules([linux / folder for folder in LINUX_FOLDERS])
    assert [str(problem) for problem in ruleset.problems] == []
    assert ruleset.files_read == len(ruleset.rules) >= 180
    wanted = {rule.route.wanted for rule in ruleset.rules}
    assert wanted == {
        ("linux", "auditd", ""),
        ("linux", "", "process_creation"),
        ("linux", "", "network_connection"),
        ("linux", "", "file_event"),
    }


@pytest.mark.corpus
def test_named_rules_fire_on_the_samples_and_no_others(linux_rules: RuleSet) -> None:
    engine = Engine(linux_rules)
    fired: dict[tuple[str, int], set[str]] = {}
    problems: list[InputError] = []
    for sample in ("audit.log", "sysmon.log"):
        for record in iter_records(SAMPLES / sample, on_problem=problems.append):
            event = normalise(record)
            assert record.source.record_id is not None
            key = (sample, record.source.record_id)
            fired[key] = {detection.rule_title for detection in engine.match(event)}
    assert problems == []
    assert fired == EXPECTED


@pytest.mark.corpus
def test_linux_rules_do_not_reach_windows_nor_windows_rules_linux(corpus_dir: Path) -> None:
    """A Sysmon for Linux process creation is not a Windows process creation."""
    windows = load_rules([corpus_dir / "sigma" / "rules" / "windows" / "process_creation"])
    engine = Engine(windows)
    for record in iter_records(SAMPLES / "sysmon.log", on_problem=lambda p: None):
        assert engine.match(normalise(record)) == []
