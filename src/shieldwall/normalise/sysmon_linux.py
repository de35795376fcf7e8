"""Sysmon for Linux events (its XML, in a syslog line or bare) to Sysmon's field names.

Sysmon for Linux writes each event as one line of XML shaped like Windows Sysmon's, most
often through syslog (``Oct 19 21:06:02 host sysmon: <Event><System>…</Event>``). The
fields are Sysmon's, as SigmaHQ's Linux ``process_creation``, ``network_connection`` and
``file_event`` rules name them: every ``<Data Name="Image">`` of ``EventData`` as
``Image``, ``CommandLine``, ``ParentImage``, ``User``, ``DestinationIp``,
``TargetFilename``…; from ``System`` the ``EventID`` (a number), ``Channel``, ``Computer``,
``EventRecordID``, ``Version``, ``Level``, ``Task``, ``Opcode``, ``Keywords`` and the
attributes ``Provider_Name``, ``Execution_ProcessID``, ``Security_UserId``, as the EVTX
normaliser names them; and ``host.hostname`` from the syslog header. The timestamp is
``TimeCreated/@SystemTime``.

The XML is read with three fixed expressions, not an XML parser: Sysmon writes no DTD,
no namespace and no nesting inside ``Data``, and an expression that only finds
``<Data Name="…">text</Data>`` cannot be made to expand entities or recurse. The five
XML entities and character references are decoded in values.
"""

from __future__ import annotations

import html
import re
from typing import Any

from shieldwall.model.event import Event, RawRecord
from shieldwall.normalise.limits import MAX_FIELDS
from shieldwall.normalise.problems import record_error
from shieldwall.normalise.syslog import SyslogError, parse_syslog
from shieldwall.normalise.timestamps import parse_iso

START = "<Event><System>"
_SYSTEM_TEXT = re.compile(
    r"<(EventID|Version|Level|Task|Opcode|Keywords|EventRecordID|Channel|Computer)>"
    r"([^<]*)</\1>"
)
_SYSTEM_ATTRIBUTE = re.compile(
    r"<(Provider|TimeCreated|Execution|Security)\b([^>]*)/?>"  # <Provider Name="…" …/>
)
_ATTRIBUTE = re.compile(r"(\w+)=\"([^\"]*)\"")
_DATA = re.compile(r"<Data Name=\"([^\"]*)\"(?:\s*/>|>([^<]*)</Data>)")


class SysmonLinuxError(ValueError):
    """The line holds no Sysmon event."""


def parse_sysmon_linux(line: str) -> tuple[dict[str, Any], str | None]:
    """Fields and ``SystemTime`` text of one line. Raises :class:`SysmonLinuxError`."""
    at = line.find(START)
    if at < 0:
        raise SysmonLinuxError("no Sysmon event (<Event><System>…) in the line")
    xml = line[at:]
    system, _, data = xml.partition("</System>")
    if not data:
        raise SysmonLinuxError("the Sysmon event has no end of <System>")
    fields: dict[str, Any] = {}
    stamp = _system(system, fields)
    if "EventID" not in fields:
        raise SysmonLinuxError("the Sysmon event has no numeric EventID")
    for name, value in _DATA.findall(data):
        if len(fields) >= MAX_FIELDS:
            raise SysmonLinuxError(f"more than {MAX_FIELDS} fields")
        if name:
            fields[html.unescape(name)] = html.unescape(value)
    if at > 0:
        _header(line[:at], fields)
    return fields, stamp


def _system(system: str, fields: dict[str, Any]) -> str | None:
    for name, value in _SYSTEM_TEXT.findall(system):
        text = html.unescape(value)
        if name == "EventID":
            if not (text.isascii() and text.isdigit() and len(text) <= 9):
                raise SysmonLinuxError(f"EventID {text[:40]!r} is not a number")
            fields[name] = int(text)
        else:
            fields.setdefault(name, text)
    stamp: str | None = None
    for element, attributes in _SYSTEM_ATTRIBUTE.findall(system):
        for name, value in _ATTRIBUTE.findall(attributes):
            if element == "TimeCreated" and name == "SystemTime":
                stamp = html.unescape(value)
            else:
                fields.setdefault(f"{element}_{name}", html.unescape(value))
    return stamp


def _header(head: str, fields: dict[str, Any]) -> None:
    """``host.hostname`` from the syslog header before the XML, when it is one."""
    try:
        header, _ = parse_syslog(head.rstrip() + " -")
    except SyslogError:
        return
    host = header.get("host.hostname")
    if isinstance(host, str):
        fields.setdefault("host.hostname", host)


def normalise_sysmon_linux(record: RawRecord) -> Event:
    """One Sysmon for Linux event (see the module docstring); else an InputError."""
    if not isinstance(record.payload, str):
        raise record_error(record, "a Sysmon for Linux event must be a text line")
    try:
        fields, stamp = parse_sysmon_linux(record.payload)
    except SysmonLinuxError as exc:
        raise record_error(record, str(exc)) from None
    moment = parse_iso(stamp) if stamp else None
    return Event(fields, record.source, timestamp=moment, format="sysmon_linux")
