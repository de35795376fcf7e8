"""Zeek TSV logs: ``#`` header lines describe the columns, then one tab-separated record a line.

The header gives the separator, the set separator, the markers for unset (``-``) and empty
(``(empty)``) values, the log path (``conn``, ``dns``...), the column names (``#fields``) and
types (``#types``). Values are decoded to the types Zeek's own JSON writer would produce, so
the Zeek normaliser sees the same dict from TSV and from JSON. Unset values are left out,
as the JSON writer leaves them out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shieldwall.ingest.limits import MAX_COLUMNS, MAX_TYPE_NESTING
from shieldwall.ingest.lines import iter_lines
from shieldwall.ingest.opener import ByteStream
from shieldwall.model.errors import InputError
from shieldwall.model.event import RawRecord, RecordFormat, SourceRef

INTEGER_TYPES = frozenset(["count", "int", "port"])
FLOAT_TYPES = frozenset(["time", "interval", "double"])
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
JSON_HEX_CONTROLS = frozenset(chr(code) for code in [*range(0x20), 0x7F]) - set("\b\t\n\f\r")
r"""Characters Zeek's JSON writer writes as the text ``\xHH`` (``json_escape_utf8``)."""


@dataclass(slots=True)
class ZeekHeader:
    """The state the ``#`` lines set; a file may repeat them (concatenated logs)."""

    separator: str = "\t"
    set_separator: str = ","
    empty: str = "(empty)"
    unset: str = "-"
    path: str = ""
    fields: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)


def unescape(text: str) -> str:
    r"""Undo the escapes of Zeek's ASCII writer, so TSV gives the values its JSON writer gives.

    Zeek writes a backslash as ``\\`` and separators and non-printable bytes as ``\xHH``
    (``Desc.cc``: ``AddBytes``). Escaped bytes are gathered and read as UTF-8. Where Zeek's
    JSON writer would itself write the text ``\xHH`` (a byte that is not valid UTF-8, a
    control character other than ``\b\t\n\f\r``), that text is the value here too, so a
    rule sees the same string from either writer. A backslash followed by anything else is
    kept as written (older writers, hand edits).
    """
    if "\\" not in text:
        return text
    out: list[str] = []
    pending = bytearray()
    index = 0
    size = len(text)
    while index < size:
        char = text[index]
        if char == "\\" and text.startswith("\\x", index) and _is_hex(text[index + 2 : index + 4]):
            pending.append(int(text[index + 2 : index + 4], 16))
            index += 4
            continue
        if pending:
            out.append(_as_json_writer_text(pending))
            pending.clear()
        if char == "\\" and text.startswith("\\\\", index):
            out.append("\\")
            index += 2
            continue
        out.append(char)
        index += 1
    if pending:
        out.append(_as_json_writer_text(pending))
    return "".join(out)


def _as_json_writer_text(raw: bytearray) -> str:
    r"""Escaped bytes as Zeek's JSON writer renders them: UTF-8, else ``\xHH`` text."""
    text = raw.decode("utf-8", errors="backslashreplace")
    if not any(char in JSON_HEX_CONTROLS for char in text):
        return text
    return "".join(f"\\x{ord(c):02x}" if c in JSON_HEX_CONTROLS else c for c in text)


def _is_hex(pair: str) -> bool:
    return len(pair) == 2 and all(c in HEX_DIGITS for c in pair)


def decode_value(text: str, zeek_type: str, header: ZeekHeader, nesting: int = 0) -> Any:
    """One column's text as a Python value of its Zeek type. Raises ValueError if malformed.

    Zeek logs containers of atomic values; a ``#types`` header nesting containers deeper
    than :data:`MAX_TYPE_NESTING` is refused rather than followed down the stack.
    """
    if zeek_type.startswith(("set[", "vector[")):
        if nesting >= MAX_TYPE_NESTING:
            raise ValueError(f"type nests containers deeper than {MAX_TYPE_NESTING}")
        if text == header.empty:
            return []
        inner = zeek_type[zeek_type.index("[") + 1 : -1]
        items = text.split(header.set_separator)
        return [decode_value(item, inner, header, nesting + 1) for item in items]
    if text == header.empty:
        return ""
    if zeek_type in INTEGER_TYPES:
        return int(text)
    if zeek_type in FLOAT_TYPES:
        return float(text)
    if zeek_type == "bool":
        if text not in ("T", "F"):
            raise ValueError(f"bool must be T or F, not {text!r}")
        return text == "T"
    return unescape(text)


def _apply_directive(line: str, header: ZeekHeader) -> str | None:
    """Update the header from one ``#`` line; return a complaint, or None if fine."""
    if line.startswith("#separator "):
        header.separator = unescape(line[len("#separator ") :].strip())
        return None
    name, _, rest = line[1:].partition(header.separator)
    values = [unescape(v) for v in rest.split(header.separator)] if rest else []
    if name == "fields":
        if len(values) > MAX_COLUMNS:
            return f"#fields names {len(values)} columns, more than {MAX_COLUMNS}"
        header.fields = values
    elif name == "types":
        header.types = values
    elif name == "set_separator" and values:
        header.set_separator = values[0]
    elif name == "empty_field" and values:
        header.empty = values[0]
    elif name == "unset_field" and values:
        header.unset = values[0]
    elif name == "path" and values:
        header.path = values[0]
    return None


def _decode_row(line: str, header: ZeekHeader) -> dict[str, Any]:
    columns = line.split(header.separator)
    if len(columns) != len(header.fields):
        raise ValueError(f"{len(columns)} columns, the #fields header names {len(header.fields)}")
    types = header.types if len(header.types) == len(header.fields) else []
    record: dict[str, Any] = {}
    for index, (name, text) in enumerate(zip(header.fields, columns, strict=True)):
        if text == header.unset:
            continue
        record[name] = decode_value(text, types[index], header) if types else unescape(text)
    return record


def read_zeek_tsv(
    stream: ByteStream,
    path: Path,
    forced: RecordFormat | None,
    on_problem: Callable[[InputError], None],
) -> Iterator[RawRecord]:
    """Yield one record per data line, decoded by the most recent header."""
    source = str(path)
    header = ZeekHeader(path=path.name.split(".", 1)[0])
    fmt: RecordFormat = forced or "zeek"
    for number, line in iter_lines(stream, source, on_problem):
        place = f"line {number}"
        if line.startswith("#"):
            complaint = _apply_directive(line, header)
            if complaint:
                on_problem(InputError(complaint, source=source, place=place))
                header.fields = []
            continue
        if not header.fields:
            on_problem(InputError("data line before a #fields header", source=source, place=place))
            continue
        try:
            record = _decode_row(line, header)
        except ValueError as err:
            on_problem(InputError(str(err), source=source, place=place))
            continue
        yield RawRecord(SourceRef(source, number), fmt, record, header.path)
