"""Linux audit events (the records of one event, joined by the reader) to flat fields.

Field names are auditd's own, as SigmaHQ's ``service: auditd`` rules and pySigma's Linux
conventions use them: ``type`` (the record types of the event, in order, once each),
then every ``key=value`` of every record as is (``syscall``, ``exe``, ``comm``, ``key``,
``a0``…``aN``, ``name``, ``cwd``…), the enriched part after ``\\x1d`` too (``SYSCALL``,
``AUID``, ``UID``… in capitals), and the pairs inside a ``msg='…'`` (``USER_*`` records:
``op``, ``acct``, ``exe``, ``res``…). A name several records carry becomes a list, in
record order: ``a0`` is the ``SYSCALL`` register and the ``EXECVE`` argument, and a rule
``type: EXECVE`` / ``a0: chmod`` matches the event whichever it is.

Values are text, as logged, with three decodings auditd documents: a quoted value loses
its quotes; an unquoted value of a field auditd hex-encodes (``EXECVE`` arguments, and
``proctitle``, ``exe``, ``comm``, ``cwd``, ``name``, ``cmd``, ``key``…) is decoded from hex
(``proctitle``'s NULs become spaces); an argument split into ``aN[0]``, ``aN[1]``… is put
back together as ``aN``. ``node`` (when logged) is kept; the timestamp is the records'.
"""

from __future__ import annotations

import binascii
import re
from typing import Any

from shieldwall.model.event import Event, RawRecord
from shieldwall.normalise.limits import MAX_FIELDS
from shieldwall.normalise.problems import record_error
from shieldwall.normalise.timestamps import from_epoch

HEX_FIELDS = frozenset(
    {"proctitle", "exe", "comm", "cwd", "name", "cmd", "key", "path", "data", "acct", "old", "new"}
)
"""Fields auditd writes as hex, unquoted, when their text holds a space, quote or control."""
ENRICHED = "\x1d"
"""auditd's ``log_format = ENRICHED`` separates the interpreted fields with this byte."""
AUDIT_HEADER = re.compile(
    r"(?:node=(?P<node>\S+) )?type=(?P<type>\S+) "
    r"msg=audit\((?P<seconds>\d{1,12})(?:\.(?P<fraction>\d{1,9}))?:(?P<serial>\d{1,20})\):"
)
"""The header of each record (the same as the reader's: ingest and normalise share no code)."""
_PAIR = re.compile(r"([A-Za-z0-9_\-\[\]]+)=(\"[^\"]*\"?|'[^']*'?|[^ ]*)")
_ARGUMENT = re.compile(r"a(\d{1,6})(?:\[(\d{1,6})\])?")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")


class AuditError(ValueError):
    """A line of the event is not an audit record."""


def _text(value: str) -> tuple[str, bool]:
    """The value without its quotes, and whether it was quoted."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1], True
    return value, False


def _unhex(value: str, *, proctitle: bool = False) -> str:
    if not _HEX.fullmatch(value):
        return value
    raw = binascii.unhexlify(value)
    if proctitle:
        raw = raw.rstrip(b"\x00").replace(b"\x00", b" ")
    return raw.decode("utf-8", errors="replace")


class _Fields:
    """The event's fields as they are gathered; a repeated name becomes a list."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.arguments: dict[str, list[str]] = {}

    def add(self, name: str, value: str) -> None:
        current = self.values.get(name)
        if current is None:
            if len(self.values) >= MAX_FIELDS:
                raise AuditError(f"more than {MAX_FIELDS} fields")
            self.values[name] = value
        elif isinstance(current, list):
            current.append(value)
        else:
            self.values[name] = [current, value]

    def record(self, kind: str, body: str) -> None:
        """Every pair of one record (``kind`` is its type)."""
        main, _, enriched = body.partition(ENRICHED)
        for name, raw in _PAIR.findall(main):
            self._pair(kind, name, raw)
        for name, raw in _PAIR.findall(enriched):
            self.add(name, _text(raw)[0])

    def _pair(self, kind: str, name: str, raw: str) -> None:
        value, quoted = _text(raw)
        if name == "msg" and raw.startswith("'"):
            for inner, inner_raw in _PAIR.findall(value):
                self._pair(kind, inner, inner_raw)
            return
        argument = _ARGUMENT.fullmatch(name) if kind == "EXECVE" else None
        if argument is not None:
            text = value if quoted else _unhex(value)
            if argument[2] is None:
                self.add(name, text)
            else:  # a long argument, in pieces: a2[0]=… a2[1]=…
                self.arguments.setdefault(f"a{argument[1]}", []).append(text)
            return
        if not quoted and name in HEX_FIELDS:
            value = _unhex(value, proctitle=name == "proctitle")
        self.add(name, value)

    def finish(self) -> dict[str, Any]:
        for name, pieces in self.arguments.items():
            self.add(name, "".join(pieces))
        return self.values


def parse_audit_event(text: str) -> tuple[dict[str, Any], float]:
    """Fields and epoch seconds of one event's records. Raises :class:`AuditError`."""
    fields = _Fields()
    kinds: list[str] = []
    seconds: float | None = None
    for line in text.split("\n"):
        match = AUDIT_HEADER.match(line)
        if match is None:
            raise AuditError("a line is not an audit record (type=… msg=audit(…): …)")
        if seconds is None:
            seconds = float(f"{match['seconds']}.{match['fraction'] or 0}")
            if match["node"]:
                fields.add("node", match["node"])
        if match["type"] not in kinds:
            kinds.append(match["type"])
        fields.record(match["type"], line[match.end() :])
    if seconds is None:
        raise AuditError("no audit record")
    values = fields.finish()
    values["type"] = kinds[0] if len(kinds) == 1 else kinds
    return values, seconds


def normalise_auditd(record: RawRecord) -> Event:
    """One audit event (see the module docstring); a malformed one is an InputError."""
    if not isinstance(record.payload, str):
        raise record_error(record, "an audit record must be text")
    try:
        fields, seconds = parse_audit_event(record.payload)
    except AuditError as exc:
        raise record_error(record, str(exc)) from None
    return Event(fields, record.source, timestamp=from_epoch(seconds), format="auditd")
