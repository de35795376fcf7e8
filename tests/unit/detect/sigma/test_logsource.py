"""Logsource routing and field mapping, checklist items L1–L3."""

from __future__ import annotations

from typing import Any

import pytest
from sigma.rule import SigmaLogSource

from shieldwall.detect.sigma.logsource import SECURITY_4688, route_for, security_4688_view
from tests.unit.detect.sigma.conftest import SYSMON, SigmaKit

PROC = {"product": "windows", "category": "process_creation"}
ROUTES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    ("L1-sysmon-1", PROC, {"Channel": SYSMON, "EventID": 1, "Image": "C:\\x\\evil.exe"}, True),
    (
        "L1-sysmon-other-id",
        PROC,
        {"Channel": SYSMON, "EventID": 3, "Image": "C:\\x\\evil.exe"},
        False,
    ),
    (
        "L1-other-channel",
        PROC,
        {"Channel": "Application", "EventID": 1, "Image": "C:\\x\\evil.exe"},
        False,
    ),
    (
        "L2-security-4688",
        PROC,
        {"Channel": "Security", "EventID": "4688", "NewProcessName": "C:\\x\\evil.exe"},
        True,
    ),
    (
        "L1-service-security",
        {"product": "windows", "service": "security"},
        {"Channel": "Security", "EventID": 4624, "Image": "C:\\x\\evil.exe"},
        True,
    ),
    (
        "L1-service-wrong-channel",
        {"product": "windows", "service": "security"},
        {"Channel": "System", "EventID": 4624, "Image": "C:\\x\\evil.exe"},
        False,
    ),
    (
        "L1-ps-script",
        {"product": "windows", "category": "ps_script"},
        {
            "Channel": "Microsoft-Windows-PowerShell/Operational",
            "EventID": 4104,
            "Image": "C:\\x\\evil.exe",
        },
        True,
    ),
    ("L1-windows-rule-not-on-json", PROC, {"Image": "C:\\x\\evil.exe"}, False),
    ("L1-linux-rule-not-on-other-json", {"product": "linux"}, {"Image": "C:\\x\\evil.exe"}, False),
    (
        "L1-linux-rule-on-linux-ecs",
        {"product": "linux"},
        {"Image": "C:\\x\\evil.exe", "host.os.type": "linux"},
        True,
    ),
]


@pytest.mark.parametrize(
    ("check", "logsource", "fields", "expected"), ROUTES, ids=[r[0] for r in ROUTES]
)
def test_routing(
    kit: SigmaKit, check: str, logsource: dict[str, Any], fields: dict[str, Any], expected: bool
) -> None:
    fmt = "evtx" if "Channel" in fields else "json"
    detection = {"s": {"Image|endswith": "\\evil.exe"}, "condition": "s"}
    assert kit.matches(detection, fields, logsource, fmt=fmt) is expected, check


def test_L1_linux_rule_not_on_windows_events(kit: SigmaKit) -> None:
    detection = {"s": {"Image|endswith": "\\evil.exe"}, "condition": "s"}
    fields = {"Channel": SYSMON, "EventID": 1, "Image": "C:\\evil.exe"}
    assert not kit.matches(detection, fields, {"product": "linux"}, fmt="evtx")


def test_L1_detection_eventid_narrows_service_route() -> None:
    route = route_for(SigmaLogSource(product="windows", service="security"))
    assert route.keys == frozenset({("security", None, "")})
    narrowed = route.narrowed(frozenset({4624, 4625}))
    assert narrowed.keys == frozenset({("security", 4624, ""), ("security", 4625, "")})


@pytest.mark.parametrize(
    ("service", "channel"),
    [
        ("dns-client", "Microsoft-Windows-DNS-Client/Operational"),
        ("dns-server-analytic", "Microsoft-Windows-DNSServer/Analytical"),
        ("security-mitigations", "Microsoft-Windows-Security-Mitigations/KernelMode"),
        ("security-mitigations", "Microsoft-Windows-Security-Mitigations/UserMode"),
    ],
)
def test_L1_services_reach_the_channel_their_events_name(service: str, channel: str) -> None:
    """pySigma spells these channels as Event Viewer shows them; the events do not."""
    route = route_for(SigmaLogSource(product="windows", service=service))
    assert route.keys is not None
    assert (channel.casefold(), None, "") in route.keys
    assert len(route.keys) > 1  # pySigma's spelling is kept beside the real one


def test_L1_unknown_windows_category_applies_to_every_windows_event() -> None:
    route = route_for(SigmaLogSource(product="windows", category="file_access"))
    assert route.windows and route.keys is None


def test_L2_security_4688_view_renames_fields() -> None:
    view = security_4688_view(
        {
            "NewProcessName": "C:\\a.exe",
            "ParentProcessName": "C:\\p.exe",
            "NewProcessId": "0x1f4",
            "ProcessId": "0x10",
            "SubjectUserName": "bob",
            "SubjectDomainName": "CORP",
            "MandatoryLabel": "S-1-16-12288",
            "CommandLine": "a.exe /x",
        }
    )
    assert view["Image"] == "C:\\a.exe"
    assert view["ParentImage"] == "C:\\p.exe"
    assert view["ProcessId"] == 500
    assert view["ParentProcessId"] == 16
    assert view["User"] == "CORP\\bob"
    assert view["IntegrityLevel"] == "High"
    assert view["CommandLine"] == "a.exe /x"
    assert SECURITY_4688 == "security_4688"


def test_L3_system_fields_with_underscore_names(kit: SigmaKit) -> None:
    """L3: System attributes are joined with '_' (Provider_Name), EventData by Name."""
    detection = {
        "s": {"Provider_Name": "Service Control Manager", "ServiceName": "evil"},
        "condition": "s",
    }
    fields = {
        "Channel": "System",
        "EventID": 7045,
        "Provider_Name": "Service Control Manager",
        "ServiceName": "EVIL",
    }
    assert kit.matches(detection, fields, {"product": "windows", "service": "system"}, fmt="evtx")
