"""Windows services SigmaHQ names but the corpus lacks: their rules route, read and fire (corpus).

``../shared/corpus/evtx`` has no event of 23 services SigmaHQ's Windows rules name (AppLocker,
CodeIntegrity, the DNS client, NTLM, WMI...). For each, ``tests/fixtures/samples/windows/
services/<service>.jsonl`` holds events written by hand in the shape the Windows component
writes them (provider, channel, EventID, EventData or UserData names, as ``evtx_dump -o
jsonl`` prints them), with made-up values; its README says where each shape was checked.

Per service, against every SigmaHQ Windows rule (the whole tree, not only the service's):

- each rule of the service routes to the channel of the samples (its logsource is honoured);
- where a sample has an EventID the rule asks for, each field the rule names is in that
  normalised event under the rule's spelling (CodeIntegrity writes ``File Name``;
  ``FileName`` is added), but for the gaps of :data:`KNOWN_GAPS`;
- the samples fire exactly the rules of :data:`EXPECTED`, record by record; the last sample
  of every file is an ordinary event of the service and fires none.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.compiler import CompiledRule
from shieldwall.detect.sigma.loader import RuleSet, load_rules
from shieldwall.ingest import iter_records
from shieldwall.model.errors import InputError
from shieldwall.model.event import Event
from shieldwall.normalise import normalise
from tests.unit.detect.sigma.windows_services import SERVICES_BY_SAMPLE, SERVICES_IN_CORPUS

pytestmark = pytest.mark.corpus

SAMPLES = Path(__file__).resolve().parents[3] / "fixtures" / "samples" / "windows" / "services"
APPX_854 = "Successful MSIX/AppX Package Installation"
APPX_UNCOMMON = "AppX Located in Uncommon Directory Added to Deployment Pipeline"
USB = "USB Device Plugged"
EXPECTED: dict[str, list[list[str]]] = {
    "applocker": [
        ["AppLocker Prevented Application or Script from Running"],
        ["AppLocker Application Would Have Been Blocked"],
        [],
    ],
    "appmodel-runtime": [["Sysinternals Tools AppX Versions Execution"], []],
    "appxdeployment-server": [
        [APPX_854, APPX_UNCOMMON, "Remote AppX Package Downloaded from File Sharing or CDN Domain"],
        [
            APPX_854,
            APPX_UNCOMMON,
            "AppX Located in Known Staging Directory Added to Deployment Pipeline",
        ],
        ["Windows AppX Deployment Full Trust Package Installation"],
        ["AppX Package Deployment Failed Due to Signing Requirements"],
        ["Windows AppX Deployment Unsigned Package Installation"],
        [],
    ],
    "appxpackaging-om": [["Suspicious Digital Signature Of AppX Package"], []],
    "certificateservicesclient-lifecycle-system": [
        ["Certificate Exported From Local Certificate Store"],
        [],
    ],
    # The last 3033 is Firefox loading its own codec: one of the rule's filters.
    "codeintegrity-operational": [
        ["CodeIntegrity - Unmet Signing Level Requirements By File Under Validation"],
        ["CodeIntegrity - Blocked Image/Driver Load For Policy Violation"],
        [],
    ],
    "diagnosis-scripted": [["Loading Diagcab Package From Remote Path"], []],
    "dns-client": [
        ["DNS Query for Anonfiles.com Domain - DNS Client"],
        ["Query Tor Onion Address - DNS Client"],
        [],
    ],
    "dns-server-analytic": [["GALLIUM Artefacts - Builtin"], []],
    "driver-framework": [[USB], [USB], []],
    "iis-configuration": [
        ["HTTP Logging Disabled On IIS Server"],
        ["New Module Module Added To IIS Server"],
        [],
    ],
    "ldap": [["Potential Active Directory Reconnaissance/Enumeration Via LDAP"], []],
    "lsa-server": [["Standard User In High Privileged Group"], []],
    "microsoft-servicebus-client": [["HybridConnectionManager Service Running"], []],
    "ntlm": [
        ["Potential Remote Desktop Connection to Non-Domain Host"],
        ["NTLM Logon"],
        ["NTLM Brute Force"],
        [],
    ],
    "security-mitigations": [
        [
            "Microsoft Defender Blocked from Loading Unsigned DLL",
            "Unsigned Binary Loaded From Suspicious Location",
        ],
        [],
    ],
    "shell-core": [["Suspicious Application Installed"], []],
    # A private server address (0200 port C0A8...) is the rule's filter.
    "smbclient-connectivity": [["Potential CVE-2023-23397 Exploitation Attempt - SMB"], []],
    "smbclient-security": [["Suspicious Rejected SMB Guest Logon From IP"], []],
    "smbserver-connectivity": [["Unsigned or Unencrypted SMB Connection to Share Established"], []],
    "taskscheduler": [
        ["Scheduled Task Executed From A Suspicious Location"],
        ["Important Scheduled Task Deleted or Disabled"],
        ["Scheduled Tasks Names Used By SVR For GraphicalProton Backdoor - Task Scheduler"],
        [],
    ],
    "terminalservices-localsessionmanager": [["Ngrok Usage with Remote Desktop Service"], []],
    # The last is the SCM Event Provider's own registration: the rule's filter.
    "wmi": [
        ["Failed Event Log Clear Via WMI NTEventLogFile ClearEventLog"],
        ["WMI Persistence"],
        [],
    ],
}
KNOWN_GAPS: dict[str, dict[str, set[str]]] = {
    "smbclient-connectivity": {
        # The rule's filter also tries names other SMB client events carry; 30803 has
        # ServerName and Address (a sockaddr in hex), which the filter reads too.
        "Potential CVE-2023-23397 Exploitation Attempt - SMB": {"ServerAddress", "RemoteAddress"},
    },
}


def _events(service: str) -> list[Event]:
    problems: list[InputError] = []
    path = SAMPLES / f"{service}.jsonl"
    events = [normalise(record) for record in iter_records(path, on_problem=problems.append)]
    assert problems == []
    assert all(event.timestamp is not None for event in events)
    return events


@pytest.fixture(scope="module")
def windows_rules(corpus_dir: Path) -> list[CompiledRule]:
    rules = [rule for rule in load_rules([corpus_dir / "sigma"]).rules if rule.route.windows]
    assert len(rules) > 2000
    return rules


@pytest.fixture(scope="module")
def engine(windows_rules: list[CompiledRule]) -> Engine:
    return Engine(RuleSet(rules=list(windows_rules)))


def _service_rules(rules: list[CompiledRule]) -> dict[str, list[CompiledRule]]:
    """Rules of a Windows ``service`` that names no ``category``, by service."""
    by_service: dict[str, list[CompiledRule]] = defaultdict(list)
    for rule in rules:
        assert rule.sigma is not None  # loaded without the rule cache, so pySigma's rule is kept
        source = rule.sigma.logsource
        if source.service and not source.category:
            by_service[source.service.casefold()].append(rule)
    return by_service


def test_every_windows_service_is_checked_once(windows_rules: list[CompiledRule]) -> None:
    named = set(_service_rules(windows_rules))
    assert sorted(EXPECTED) == SERVICES_BY_SAMPLE
    assert set(SERVICES_BY_SAMPLE).isdisjoint(SERVICES_IN_CORPUS)
    assert named == set(SERVICES_BY_SAMPLE) | set(SERVICES_IN_CORPUS)


@pytest.mark.parametrize("service", SERVICES_BY_SAMPLE)
def test_rules_route_to_the_samples_and_find_their_fields(
    service: str, windows_rules: list[CompiledRule]
) -> None:
    seen: dict[tuple[str, int | None], set[str]] = defaultdict(set)
    for event in _events(service):
        fields = event.fields
        key = (str(fields["Channel"]).casefold(), fields["EventID"])
        seen[key].update(fields)
        seen[(key[0], None)].update(fields)
    rules = _service_rules(windows_rules)[service]
    assert rules
    channels = {channel for channel, _ in seen}
    gaps: dict[str, set[str]] = {}
    for rule in rules:
        keys = rule.route.keys or frozenset()
        assert channels & {channel for channel, _, _ in keys}, (rule.title, keys)
        present: set[str] = set()
        for channel, event_id, _view in keys:
            present |= seen.get((channel, event_id), set())
        named = {leaf.field for leaf, _ in rule.node.leaves() if leaf.field is not None}
        if present and named - present:
            gaps[rule.title] = named - present
    assert gaps == KNOWN_GAPS.get(service, {})


@pytest.mark.parametrize("service", SERVICES_BY_SAMPLE)
def test_rules_that_fire_per_sample(service: str, engine: Engine) -> None:
    fired = [sorted(d.rule_title for d in engine.match(event)) for event in _events(service)]
    assert fired == [sorted(titles) for titles in EXPECTED[service]]
    assert fired[-1] == []


def test_codeintegrity_names_with_spaces_are_also_given_without() -> None:
    """CodeIntegrity 3076/3077 name EventData ``File Name``, ``Requested Signing Level``."""
    fields = _events("codeintegrity-operational")[1].fields
    assert fields["EventID"] == 3077
    assert fields["FileName"] == fields["File Name"]
    assert fields["ProcessName"] == fields["Process Name"]
    assert fields["RequestedSigningLevel"] == fields["Requested Signing Level"] == "12"
