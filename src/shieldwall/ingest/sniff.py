"""Recognise a file's format from its first bytes, and classify single records.

Detection is by content, as the issue asks: EVTX by its ``ElfFile`` magic; Zeek TSV by its
``#separator``/``#fields`` header; JSON lines by a leading ``{``; CEF by ``CEF:<n>|`` at the
start of a line or after a syslog header; syslog by ``<PRI>`` or an RFC 3164 timestamp;
Linux audit records by ``type=… msg=audit(…)`` (after an optional ``node=``); Sysmon for
Linux by its ``<Event><System>`` XML, bare or in a syslog line.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from shieldwall.model.event import RecordFormat

Layout = Literal["evtx", "zeek_tsv", "json_lines", "text_lines", "auditd_lines"]
"""How a file is laid out on disk, which decides the reader; the record format may vary."""

EVTX_MAGIC = b"ElfFile\x00"
UTF8_BOM = b"\xef\xbb\xbf"
SYSMON_LINUX_MARK = "<Event><System>"
"""How Sysmon for Linux starts each event's XML (it writes no declaration, no namespace)."""
AUDIT_HEADER = re.compile(
    r"(?:node=(?P<node>\S+) )?type=(?P<type>\S+) "
    r"msg=audit\((?P<seconds>\d{1,12})(?:\.(?P<fraction>\d{1,9}))?:(?P<serial>\d{1,20})\):"
)
"""The start of a Linux audit record: ``type=SYSCALL msg=audit(1700000000.123:42):``."""
MONTHS = frozenset(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
)


def sniff_layout(head: bytes) -> Layout | None:
    """Guess the layout from the first bytes of a file; None when nothing fits."""
    if head.startswith(EVTX_MAGIC):
        return "evtx"
    first = _first_line(head.removeprefix(UTF8_BOM))
    if first.startswith((b"#separator", b"#fields")) or _zeek_after_comments(head):
        return "zeek_tsv"
    if first.startswith(b"{"):
        return "json_lines"
    text = first.decode("utf-8", errors="replace")
    if AUDIT_HEADER.match(text):
        return "auditd_lines"
    if is_cef(text) or looks_like_syslog(text) or text.startswith(SYSMON_LINUX_MARK):
        return "text_lines"
    return None


def _first_line(head: bytes) -> bytes:
    for line in head.splitlines():
        stripped = line.strip()
        if stripped:
            return stripped
    return b""


def _zeek_after_comments(head: bytes) -> bool:
    """True when ``#`` comment lines come before a Zeek ``#separator``/``#fields`` header.

    Files cut from a longer log or annotated by hand may open with a comment; every line up
    to the header must start with ``#``, so a JSON or syslog file is never taken for Zeek.
    """
    for line in head.removeprefix(UTF8_BOM).splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith(b"#"):
            return False
        if stripped.startswith((b"#separator", b"#fields")):
            return True
    return False


def starts_with_comment(head: bytes) -> bool:
    """True when the first non-blank line starts with ``#``: Zeek's TSV, never its JSON."""
    return _first_line(head.removeprefix(UTF8_BOM)).startswith(b"#")


def is_cef(line: str) -> bool:
    """True when the line is CEF: ``CEF:<digit>|`` at its start or after a syslog header."""
    at = line.find("CEF:")
    if at < 0 or (at > 0 and line[at - 1] != " "):
        return False
    version = line[at + 4 : at + 6]
    return len(version) == 2 and version[0].isdigit() and version[1] in "|."


def looks_like_syslog(line: str) -> bool:
    """True for ``<PRI>`` (RFC 5424 and 3164), or a bare ``Mmm dd hh:mm:ss`` (day padded or
    not) or RFC 3339 ``yyyy-mm-ddThh:mm:ss`` start, as rsyslog writes on Linux."""
    if line.startswith("<"):
        end = line.find(">", 1, 5)
        return end > 1 and line[1:end].isdigit()
    if line[:3] in MONTHS and line[3:4] == " ":
        day_and_clock = line[4:].lstrip(" ")
        colon = day_and_clock.find(":")
        return colon in (4, 5) and day_and_clock[colon - 3] == " "
    return _rfc3339_start(line)


def _rfc3339_start(line: str) -> bool:
    digits = line[0:4] + line[5:7] + line[8:10] + line[11:13] + line[14:16]
    shape = line[4:5] + line[7:8] + line[10:11] + line[13:14]
    return len(digits) == 12 and digits.isascii() and digits.isdigit() and shape == "--T:"


def classify_text(line: str, forced: RecordFormat | None) -> RecordFormat:
    """The format of one text line: a Linux audit record (on its own: sent line by line, as
    the live intake takes them), Sysmon for Linux, CEF (possibly inside syslog) or syslog."""
    if forced is not None:
        return forced
    if AUDIT_HEADER.match(line):
        return "auditd"
    if SYSMON_LINUX_MARK in line:
        return "sysmon_linux"
    return "cef" if is_cef(line) else "syslog"


def classify_json(obj: dict[str, Any], forced: RecordFormat | None) -> RecordFormat:
    """The format of one JSON object: Suricata EVE, Zeek, or other JSON (ECS, Windows...)."""
    if forced is not None:
        return forced
    if "event_type" in obj:
        return "suricata"
    if "_path" in obj or ("uid" in obj and "id.orig_h" in obj):
        return "zeek"
    return "json"
