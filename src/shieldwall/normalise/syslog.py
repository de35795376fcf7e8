"""Syslog lines, RFC 5424 and RFC 3164 (BSD), to ECS-style fields.

Fields: ``log.syslog.priority``, ``log.syslog.facility.code``, ``log.syslog.severity.code``
(from ``<PRI>``, when present), ``host.hostname``, ``process.name`` (APP-NAME or TAG),
``process.pid`` (PROCID or ``[pid]`` when numeric), ``message``; for RFC 5424 also
``log.syslog.version``, ``log.syslog.appname``, ``log.syslog.procid``,
``log.syslog.msgid`` and each structured-data parameter as
``log.syslog.structured_data.<SD-ID>.<name>`` (a list when a name repeats). RFC 5424's
``-`` (nil) leaves the field out.

RFC 3164 timestamps have no year nor zone: the zone is taken as UTC and the year as the
current one, or the previous one when that would put the event more than a day ahead. The
day may be space-padded (``Jan  1``) or not (``Jan 1``). A BSD-style line may carry an
RFC 3339 timestamp instead (``2024-05-01T10:00:00.123+02:00 host prog[1]: msg``, rsyslog's
high-precision format, the default on many Linux systems), with or without ``<PRI>``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shieldwall.model.event import Event, RawRecord
from shieldwall.normalise.limits import MAX_FIELDS
from shieldwall.normalise.problems import record_error
from shieldwall.normalise.timestamps import parse_iso

MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
NIL = "-"
SD_PREFIX = "log.syslog.structured_data."


class SyslogError(ValueError):
    """The line is not syslog as RFC 5424 or RFC 3164 write it."""


def parse_syslog(line: str, now: datetime | None = None) -> tuple[dict[str, Any], datetime | None]:
    """Fields and timestamp of one syslog line. Raises :class:`SyslogError` if malformed."""
    fields: dict[str, Any] = {}
    rest = _priority(line, fields)
    if rest[:2] == "1 " and "log.syslog.priority" in fields:
        return fields, _rfc5424(rest[2:], fields)
    return fields, _rfc3164(rest, fields, now or datetime.now(UTC))


def _priority(line: str, fields: dict[str, Any]) -> str:
    if not line.startswith("<"):
        return line
    end = line.find(">", 1, 5)
    digits = line[1:end] if end > 1 else ""
    if not (digits.isascii() and digits.isdigit()) or int(digits) > 191:
        raise SyslogError("malformed <PRI>")
    priority = int(digits)
    fields["log.syslog.priority"] = priority
    fields["log.syslog.facility.code"] = priority >> 3
    fields["log.syslog.severity.code"] = priority & 7
    return line[end + 1 :]


def _rfc5424(rest: str, fields: dict[str, Any]) -> datetime | None:
    parts = rest.split(" ", 5)
    if len(parts) < 6:
        raise SyslogError("RFC 5424 header has fewer than 7 fields")
    stamp, host, app, procid, msgid, tail = parts
    fields["log.syslog.version"] = 1
    _put(fields, "host.hostname", host)
    _put(fields, "log.syslog.appname", app)
    _put(fields, "process.name", app)
    _put(fields, "log.syslog.procid", procid)
    if _is_pid(procid):
        fields["process.pid"] = int(procid)
    _put(fields, "log.syslog.msgid", msgid)
    message = _structured_data(tail, fields)
    if message:
        fields["message"] = message.removeprefix("\ufeff")
    if stamp == NIL:
        return None
    moment = parse_iso(stamp)
    if moment is None:
        raise SyslogError(f"RFC 5424 timestamp {stamp[:40]!r} is not ISO 8601")
    return moment


def _is_pid(text: str) -> bool:
    """Decimal and short: a process id, never a 5,000-digit number to convert."""
    return 0 < len(text) <= 10 and text.isascii() and text.isdigit()


def _put(fields: dict[str, Any], name: str, value: str) -> None:
    if value != NIL:
        fields[name] = value


def _structured_data(tail: str, fields: dict[str, Any]) -> str:
    """Parse ``[id k="v" ...]...`` into fields; return the message after it."""
    if tail[:1] == NIL:
        return tail[2:]
    position = 0
    while tail[position : position + 1] == "[":
        position = _sd_element(tail, position + 1, fields)
    if position == 0:
        raise SyslogError("RFC 5424 structured data is neither '-' nor '[...]'")
    return tail[position + 1 :]


def _sd_element(tail: str, position: int, fields: dict[str, Any]) -> int:
    """Parse one SD-ELEMENT from just after ``[``; return the index after its ``]``."""
    end_id = _find_any(tail, position, " ]")
    sd_id = tail[position:end_id]
    if not sd_id:
        raise SyslogError("structured data element without an SD-ID")
    position = end_id
    while tail[position : position + 1] == " ":
        equals = tail.find('="', position)
        if equals < 0:
            raise SyslogError(f"structured data [{sd_id}] has a parameter without a value")
        name = tail[position + 1 : equals]
        if not name or " " in name or "]" in name:
            raise SyslogError(f"structured data [{sd_id}] has a malformed parameter name")
        value, position = _sd_value(tail, equals + 2)
        _add_param(fields, f"{SD_PREFIX}{sd_id}.{name}", value)
    if tail[position : position + 1] != "]":
        raise SyslogError(f"structured data [{sd_id}] is not closed")
    return position + 1


def _find_any(text: str, start: int, chars: str) -> int:
    found = [i for i in (text.find(c, start) for c in chars) if i >= 0]
    if not found:
        raise SyslogError("structured data is not closed")
    return min(found)


def _sd_value(tail: str, position: int) -> tuple[str, int]:
    r"""Read a PARAM-VALUE up to its closing quote, undoing ``\"``, ``\\`` and ``\]``.

    A backslash before any other character is kept, as RFC 5424 section 6.3.3 says.
    """
    out: list[str] = []
    while True:
        quote = tail.find('"', position)
        if quote < 0:
            raise SyslogError("structured data value is not closed")
        slash = tail.find("\\", position, quote)
        if slash < 0:
            out.append(tail[position:quote])
            return "".join(out), quote + 1
        out.append(tail[position:slash])
        escaped = tail[slash + 1 : slash + 2]
        if escaped in ('"', "\\", "]"):
            out.append(escaped)
            position = slash + 2
        else:
            out.append("\\")
            position = slash + 1


def _add_param(fields: dict[str, Any], name: str, value: str) -> None:
    if len(fields) >= MAX_FIELDS:
        raise SyslogError(f"more than {MAX_FIELDS} structured data parameters")
    existing = fields.get(name)
    if existing is None:
        fields[name] = value
    elif type(existing) is list:
        existing.append(value)
    else:
        fields[name] = [existing, value]


def _rfc3164(rest: str, fields: dict[str, Any], now: datetime) -> datetime | None:
    """BSD syslog, whose header may carry an RFC 3339 stamp (rsyslog, journald) instead."""
    stamp, body = _rfc3339_time(rest)
    if stamp is None:
        stamp, body = _bsd_time(rest, now)
    if stamp is None and "log.syslog.priority" not in fields:
        raise SyslogError("neither <PRI> nor an RFC 3164 or RFC 3339 timestamp")
    if stamp is not None:
        host, _, body = body.partition(" ")
        if host:
            fields["host.hostname"] = host
    _tag(body, fields)
    return stamp


def _rfc3339_time(rest: str) -> tuple[datetime | None, str]:
    """``2024-05-01T10:00:00.123+02:00 `` at the start: the moment and the text after it.

    A token shaped like a date but not a valid moment is refused rather than read as a host.
    """
    token, _, body = rest.partition(" ")
    if not (len(token) >= 19 and token[4:5] == "-" and token[7:8] == "-" and token[10:11] == "T"):
        return None, rest
    if not token[:4].isascii() or not token[:4].isdigit():
        return None, rest
    moment = parse_iso(token)
    if moment is None:
        raise SyslogError(f"RFC 3339 timestamp {token[:40]!r} is not a valid moment")
    return moment, body


def _bsd_time(rest: str, now: datetime) -> tuple[datetime | None, str]:
    """``Mmm dd hh:mm:ss `` (day space-padded or not) in the current or previous year, UTC.

    RFC 3164 pads a one-digit day with a space (``Jan  1``), but many senders write
    ``Jan 1``; both are read, so neither loses its host and tag.
    """
    month = MONTHS.get(rest[:3])
    if month is None or rest[3:4] != " ":
        return None, rest
    after_month = rest[4:].lstrip(" ")
    day, space, after_day = after_month.partition(" ")
    clock_text, _, body = after_day.partition(" ")
    clock = clock_text.split(":")
    if not space or not (day.isascii() and day.isdigit() and 1 <= len(day) <= 2):
        return None, rest
    if len(clock) != 3 or not all(p.isascii() and p.isdigit() and len(p) == 2 for p in clock):
        return None, rest
    hour, minute, second = (int(part) for part in clock)
    for year in (now.year, now.year - 1):
        try:
            moment = datetime(year, month, int(day), hour, minute, second, tzinfo=UTC)
        except ValueError:
            continue
        if moment <= now + timedelta(days=1):
            return moment, body
    return None, rest


def _tag(body: str, fields: dict[str, Any]) -> None:
    """``TAG[PID]: message`` or ``TAG: message``; without a tag the whole body is the message."""
    head, colon, message = body.partition(": ")
    if not colon or " " in head or not head:
        fields["message"] = body
        return
    name, bracket, pid = head.partition("[")
    fields["process.name"] = name
    if bracket and pid.endswith("]") and _is_pid(pid[:-1]):
        fields["process.pid"] = int(pid[:-1])
    fields["message"] = message


def normalise_syslog(record: RawRecord) -> Event:
    """One syslog line to an Event; a malformed line raises InputError naming it."""
    if not isinstance(record.payload, str):
        raise record_error(record, "syslog payload is not a text line")
    try:
        fields, stamp = parse_syslog(record.payload)
    except SyslogError as err:
        raise record_error(record, str(err)) from err
    return Event(fields, record.source, stamp, "syslog")
