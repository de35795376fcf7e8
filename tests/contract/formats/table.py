"""The formats under contract: one line each, with a sample as a sensor writes it.

Adding a format to Shieldwall means adding one line to :data:`FORMATS`: its name, its
sample (a file under ``tests/fixtures/formats``, or EVTX written by :mod:`.evtx_writer`),
the reader layout that must take it, the normaliser (registry key) its records go to, and
the ``Event.format`` they come out as. ``test_registry_coverage.py`` fails while a
registered reader layout, record format or normaliser has no line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from shieldwall.ingest.sniff import Layout
from shieldwall.model.event import RecordFormat
from tests.contract.formats.evtx_writer import WindowsEvent, evtx_file

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"

SECURITY_EVENTS = (
    WindowsEvent(
        4625,
        time=datetime(2024, 3, 1, 12, 0, 0, 123456, tzinfo=UTC),
        data={
            "TargetUserName": "administrator",
            "TargetDomainName": "CORP",
            "Status": "0xc000006d",
            "LogonType": "3",
            "WorkstationName": "6hgtmVlrrFuWtO65",
            "IpAddress": "198.51.100.23",
            "AuthenticationPackageName": "NTLM",
        },
    ),
    WindowsEvent(
        4688,
        data={
            "NewProcessName": "C:\\Windows\\System32\\cmd.exe",
            "CommandLine": "cmd.exe /c whoami /all",
            "ParentProcessName": "C:\\Windows\\explorer.exe",
        },
    ),
    WindowsEvent(
        1102,
        provider="Microsoft-Windows-Eventlog",
        user_data="LogFileCleared",
        data={"SubjectUserSid": "S-1-5-21-1-2-3-500", "SubjectUserName": "admin"},
    ),
)
GENERATED = {"windows/Security.evtx": evtx_file(SECURITY_EVENTS)}
"""Samples written by code: no EVTX may be copied from the corpus, none is written by hand."""


@dataclass(frozen=True, slots=True)
class FormatCase:
    """One format: its sample files and what the pipeline must make of them."""

    name: str
    sample: str
    layout: Layout
    normaliser: RecordFormat
    event_format: RecordFormat

    @property
    def file_name(self) -> str:
        """The sample's own name (Zeek takes the log path from it)."""
        return Path(self.sample).name

    @property
    def content(self) -> bytes:
        """The sample's bytes."""
        generated = GENERATED.get(self.sample)
        return generated if generated is not None else (FIXTURES / self.sample).read_bytes()


FORMATS = (
    FormatCase("evtx", "windows/Security.evtx", "evtx", "evtx", "evtx"),
    FormatCase("evtx-dump-json", "windows/evtx_dump.jsonl", "json_lines", "json", "evtx"),
    FormatCase("winlogbeat", "windows/winlogbeat.ndjson", "json_lines", "json", "evtx"),
    FormatCase("nxlog-windows", "windows/nxlog.json", "json_lines", "json", "evtx"),
    FormatCase("ecs-json", "ecs/filebeat.ndjson", "json_lines", "json", "json"),
    FormatCase("zeek-tsv", "zeek/conn.log", "zeek_tsv", "zeek", "zeek"),
    FormatCase("zeek-json", "zeek/dns.json", "json_lines", "zeek", "zeek"),
    FormatCase("suricata-eve", "suricata/eve.json", "json_lines", "suricata", "suricata"),
    FormatCase("syslog-rfc3164", "syslog/rfc3164.log", "text_lines", "syslog", "syslog"),
    FormatCase("syslog-rfc5424", "syslog/rfc5424.log", "text_lines", "syslog", "syslog"),
    FormatCase("cef", "cef/cef.log", "text_lines", "cef", "cef"),
    FormatCase("cef-over-syslog", "cef/cef-over-syslog.log", "text_lines", "cef", "cef"),
    FormatCase("linux-auditd", "linux/audit.log", "auditd_lines", "auditd", "auditd"),
    FormatCase("sysmon-linux", "linux/sysmon.log", "text_lines", "sysmon_linux", "sysmon_linux"),
)
