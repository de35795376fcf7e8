r"""ArcSight CEF lines, bare or after a syslog header, to fields.

Header: ``CEF:Version|Device Vendor|Device Product|Device Version|Device Event Class ID|
Name|Severity|Extension``, with ``\|`` and ``\\`` escaped in header fields. Header fields
become ``cef.version``, ``cef.device_vendor``, ``cef.device_product``,
``cef.device_version``, ``cef.device_event_class_id``, ``cef.name``, ``cef.severity``.

Extension: ``key=value`` pairs separated by spaces; values may contain spaces, so a value
runs to the last space before the next unescaped ``=``. Escapes in values: ``\=``, ``\\``,
``\n``, ``\r``. Each extension key is kept under its own name (``src``, ``suser``, ``act``,
``cs1Label``...), as CEF rules and analysts know them; Sigma's firewall and web names are
added beside them (``src_ip`` from ``src``, ``c-uri`` from ``request``...:
:mod:`.sigma_firewall`, :mod:`.sigma_web`). A syslog header before ``CEF:`` contributes
its fields (``host.hostname``, ``log.syslog.*``), and its timestamp when ``rt`` has none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shieldwall.model.event import Event, RawRecord
from shieldwall.normalise import sigma_firewall, sigma_web
from shieldwall.normalise.aliases import add_aliases
from shieldwall.normalise.limits import MAX_FIELDS
from shieldwall.normalise.problems import record_error
from shieldwall.normalise.syslog import SyslogError, parse_syslog
from shieldwall.normalise.timestamps import from_epoch_millis, parse_month_first

HEADER_NAMES = (
    "cef.version",
    "cef.device_vendor",
    "cef.device_product",
    "cef.device_version",
    "cef.device_event_class_id",
    "cef.name",
    "cef.severity",
)
TIME_KEYS = ("rt", "deviceReceiptTime", "start", "end")
VALUE_ESCAPES = {"=": "=", "\\": "\\", "n": "\n", "r": "\r"}


class CefError(ValueError):
    """The line is not CEF."""


def parse_cef(line: str) -> tuple[dict[str, Any], datetime | None]:
    """Fields and timestamp of one CEF line. Raises :class:`CefError` if malformed."""
    at = line.find("CEF:")
    if at < 0:
        raise CefError("no 'CEF:' marker")
    fields: dict[str, Any] = {}
    stamp: datetime | None = None
    prefix = line[:at].strip()
    if prefix:
        try:
            fields, stamp = parse_syslog(prefix)
        except SyslogError as err:
            raise CefError(f"syslog header before CEF: {err}") from err
        fields.pop("message", None)
    header, extension = split_header(line[at + 4 :])
    fields.update(zip(HEADER_NAMES, header, strict=True))
    fields.update(parse_extension(extension))
    return fields, _receipt_time(fields) or stamp


def split_header(text: str) -> tuple[list[str], str]:
    r"""The seven header fields (unescaped) and the raw extension after the seventh ``|``."""
    fields: list[str] = []
    current: list[str] = []
    position = 0
    while len(fields) < len(HEADER_NAMES):
        bar = text.find("|", position)
        slash = text.find("\\", position, bar if bar >= 0 else len(text))
        if bar < 0:
            raise CefError(f"CEF header has {len(fields)} of 7 fields")
        if slash >= 0:
            current.append(text[position:slash])
            current.append(text[slash + 1 : slash + 2])
            position = slash + 2
            continue
        current.append(text[position:bar])
        fields.append("".join(current))
        current = []
        position = bar + 1
    return fields, text[position:]


def parse_extension(text: str) -> dict[str, str]:
    r"""``k1=v 1 k2=v\=2`` → ``{"k1": "v 1", "k2": "v=2"}``."""
    segments = _split_unescaped_equals(text)
    if len(segments) == 1:
        if segments[0].strip():
            raise CefError("CEF extension without key=value pairs")
        return {}
    if len(segments) > MAX_FIELDS:
        raise CefError(f"more than {MAX_FIELDS} extension fields")
    out: dict[str, str] = {}
    key = segments[0].strip()
    for segment in segments[1:-1]:
        value, space, next_key = segment.rpartition(" ")
        if not space or not next_key:
            raise CefError(f"CEF extension value for {key!r} runs into an unescaped '='")
        _store(out, key, value)
        key = next_key
    _store(out, key, segments[-1].rstrip(" "))
    return out


def _store(out: dict[str, str], key: str, raw_value: str) -> None:
    if not key or " " in key:
        raise CefError(f"malformed CEF extension key {key!r}")
    out[key] = unescape_value(raw_value)


def _split_unescaped_equals(text: str) -> list[str]:
    """Split at each ``=`` not preceded by an odd number of backslashes."""
    segments: list[str] = []
    start = search = 0
    while True:
        equals = text.find("=", search)
        if equals < 0:
            segments.append(text[start:])
            return segments
        run = (equals - start) - len(text[start:equals].rstrip("\\"))
        if run % 2 == 0:
            segments.append(text[start:equals])
            start = equals + 1
        search = equals + 1


def unescape_value(raw: str) -> str:
    r"""Undo ``\=``, ``\\``, ``\n``, ``\r``; any other backslash is kept as written."""
    if "\\" not in raw:
        return raw
    out: list[str] = []
    position = 0
    while (slash := raw.find("\\", position)) >= 0:
        out.append(raw[position:slash])
        plain = VALUE_ESCAPES.get(raw[slash + 1 : slash + 2])
        if plain is None:
            out.append("\\")
            position = slash + 1
        else:
            out.append(plain)
            position = slash + 2
    out.append(raw[position:])
    return "".join(out)


def _receipt_time(fields: dict[str, Any]) -> datetime | None:
    """The first of ``rt``/``deviceReceiptTime``/``start``/``end`` that reads as a moment.

    ArcSight allows epoch milliseconds or ``MMM dd yyyy HH:mm:ss[.SSS][ zone]``; both are
    read. They say when the device saw the event, so they come before the stamp of a syslog
    header (when the line was sent, and without a year in RFC 3164); that is the fallback.
    """
    for name in TIME_KEYS:
        value = fields.get(name)
        if type(value) is str:
            moment = from_epoch_millis(value) or parse_month_first(value)
            if moment is not None:
                return moment
    return None


def normalise_cef(record: RawRecord) -> Event:
    """One CEF line to an Event; a malformed line raises InputError naming it."""
    if not isinstance(record.payload, str):
        raise record_error(record, "CEF payload is not a text line")
    try:
        fields, stamp = parse_cef(record.payload)
    except CefError as err:
        raise record_error(record, str(err)) from err
    add_aliases(fields, sigma_firewall.CEF)
    sigma_web.add_web_names(fields, sigma_web.CEF)
    return Event(fields, record.source, stamp, "cef")
