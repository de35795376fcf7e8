"""Every Windows service SigmaHQ's rules name: the fields its rules use exist in its events.

For each rule of a Windows ``service`` (with no ``category``), the fields it names are looked
up in the corpus events of the channels and EventIDs it routes to (``../shared/corpus/evtx``).
Where the corpus holds such events, every field must be there, but for the gaps listed in
:data:`KNOWN_GAPS`, each with its reason. Services whose events the corpus lacks are
checked on the project's own samples (``test_windows_service_samples.py``); both lists are in
``windows_services.py``, so a new corpus or rule tree shows up here.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from shieldwall.detect.sigma.compiler import CompiledRule
from shieldwall.detect.sigma.loader import load_rules
from shieldwall.ingest import discover_files, iter_records
from shieldwall.normalise import normalise
from tests.unit.detect.sigma.windows_services import SERVICES_IN_CORPUS

pytestmark = pytest.mark.corpus

Fields = dict[tuple[str, int | None], set[str]]

KNOWN_GAPS: dict[str, dict[str, set[str]]] = {
    "application": {
        # EventID 1000 and 1033 of the corpus come from LoadPerf and Security-SPP, not from
        # Application Error and MsiInstaller, whose fields these rules name.
        "LSASS Process Crashed - Application": {"AppName", "ExceptionCode"},
        "Atera Agent Installation": {"Message"},
        "CVE-2023-40477 Potential Exploitation - WinRAR Application Crash": {
            "AppName",
            "AppVersion",
        },
        "LSASS Crash Via Netlogon Stack Buffer Overflow - CVE-2026-41089": {
            "AppName",
            "ExceptionCode",
            "ModuleName",
        },
    },
    "security": {
        # Fields newer Windows builds add (4697 ClientProcessId, ParentProcessId; 5447
        # ProviderContextName) or another EventID of the rule has (4657 ObjectValueName,
        # NewValue); FileName is no field of 4663 (the rule's own choice).
        "HackTool - NoFilter Execution": {"ProviderContextName"},
        "Service Installed By Unusual Client - Security": {"ClientProcessId", "ParentProcessId"},
        "Sysmon Channel Reference Deletion": {"NewValue", "ObjectValueName"},
        "Access To Browser Credential Files By Uncommon Applications - Security": {"FileName"},
    },
    "system": {
        # 7045 of newer builds; the corpus' older ones have no ProcessId in EventData.
        "Service Installed By Unusual Client - System": {"ProcessId"},
    },
}


@pytest.fixture(scope="module")
def corpus_fields(corpus_dir: Path) -> Fields:
    """Field names seen per (channel, EventID), and per channel under EventID None."""
    seen: Fields = defaultdict(set)
    for path in discover_files([corpus_dir / "evtx"]):
        for record in iter_records(path, on_problem=lambda problem: None):
            fields = normalise(record).fields
            channel = str(fields.get("Channel", "")).casefold()
            event_id = fields.get("EventID")
            seen[(channel, event_id if type(event_id) is int else None)].update(fields)
            seen[(channel, None)].update(fields)
    return seen


@pytest.fixture(scope="module")
def service_rules(corpus_dir: Path) -> dict[str, list[CompiledRule]]:
    by_service: dict[str, list[CompiledRule]] = defaultdict(list)
    for rule in load_rules([corpus_dir / "sigma"]).rules:
        assert rule.sigma is not None  # loaded without the rule cache, so pySigma's rule is kept
        source = rule.sigma.logsource
        windows = (source.product or "").casefold() == "windows"
        if windows and source.service and not source.category and rule.route.keys:
            by_service[source.service.casefold()].append(rule)
    return by_service


def _gaps(rule: CompiledRule, seen: Fields) -> set[str] | None:
    """Fields the rule names that none of its events has; None when the corpus has none."""
    present: set[str] = set()
    for channel, event_id, _view in rule.route.keys or ():
        present |= seen.get((channel, event_id), set())
    if not present:
        return None
    named = {leaf.field for leaf, _ in rule.node.leaves() if leaf.field is not None}
    return named - present


def test_the_services_with_corpus_events_are_the_listed_ones(
    service_rules: dict[str, list[CompiledRule]], corpus_fields: Fields
) -> None:
    with_events = sorted(
        service
        for service, rules in service_rules.items()
        if any(_gaps(rule, corpus_fields) is not None for rule in rules)
    )
    assert with_events == SERVICES_IN_CORPUS


@pytest.mark.parametrize("service", SERVICES_IN_CORPUS)
def test_rule_fields_exist_in_the_services_events(
    service: str, service_rules: dict[str, list[CompiledRule]], corpus_fields: Fields
) -> None:
    gaps = {}
    for rule in service_rules[service]:
        missing = _gaps(rule, corpus_fields)
        if missing:
            gaps[rule.title] = missing
    assert gaps == KNOWN_GAPS.get(service, {})


def test_defender_fields_with_spaces_reach_the_rules_without(corpus_fields: Fields) -> None:
    """``Threat Name`` was the only spelling: every windefend rule on these fields missed."""
    defender = corpus_fields[("microsoft-windows-windows defender/operational", None)]
    spaceless = {"ThreatName", "ProcessName", "SourceName", "DetectionUser", "NewValue"}
    assert spaceless <= defender
    assert {"Threat Name", "Process Name", "Source Name", "Detection User"} <= defender
