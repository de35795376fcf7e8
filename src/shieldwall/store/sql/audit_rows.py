"""Reading audit rows for verification: every column checked, none trusted to be well typed.

Verification reads a database that may have been edited by hand. SQLite keeps any value in
any column, so a row may hold text where ``seq`` should be a number, or a date that does not
parse. Rows are therefore read without SQLAlchemy's result processing and decoded here, one
column at a time: a column that does not hold a value of its type gives a
:class:`MalformedRow` naming the row and the column, which verification reports (exit 3)
rather than failing on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, Table

from shieldwall.model.audit import AuditEntry, Checkpoint, MalformedRow, Outcome
from shieldwall.model.errors import ShieldwallError
from shieldwall.store.sql.tables import audit_checkpoints, audit_entries, audit_head

HEX64 = re.compile(r"^[0-9a-f]{64}$")
SIGNATURE = re.compile(r"^[0-9a-f]{128}$")
TEXT_COLUMNS = ("principal", "org_id", "action", "object_type", "object_id", "detail")
OUTCOMES = frozenset(outcome.value for outcome in Outcome)
PAGE = 5000


class _ColumnError(ShieldwallError):
    """One column failed to decode (internal: turned into a MalformedRow)."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def _sequence(value: Any, column: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _ColumnError(column, f"holds {value!r}, not a sequence number")
    return value


def _text(value: Any, column: str, shape: re.Pattern[str] | None = None) -> str:
    if not isinstance(value, str):
        raise _ColumnError(column, f"holds {type(value).__name__} {value!r}, not text")
    if shape is not None and not shape.match(value):
        raise _ColumnError(column, f"holds {value[:80]!r}, not {_shape_name(shape)}")
    return value


def _shape_name(shape: re.Pattern[str]) -> str:
    return "a SHA-256 in hex" if shape is HEX64 else "an Ed25519 signature in hex"


class _Decoder:
    """Decodes raw rows of one table on one dialect."""

    def __init__(self, connection: Connection, table: Table) -> None:
        dialect = connection.dialect
        at: Column[Any] = table.c.at
        process = at.type.dialect_impl(dialect).result_processor(dialect, None)
        self._at: Callable[[Any], Any] = process or (lambda value: value)
        self._db = connection
        self._table = table

    def at(self, value: Any) -> datetime:
        try:
            decoded = self._at(value)
        except (TypeError, ValueError, OverflowError) as exc:
            raise _ColumnError("at", f"holds {value!r}, not a timestamp") from exc
        if not isinstance(decoded, datetime) or decoded.tzinfo is None:
            raise _ColumnError("at", f"holds {value!r}, not a timestamp")
        return decoded

    def rows(self, order: str | None) -> Iterator[Any]:
        """The table's raw rows (no type processing), ``order``-ed, streamed in pages."""
        names = ", ".join(column.name for column in self._table.columns)
        sql = f"SELECT {names} FROM {self._table.name}"  # noqa: S608 - names are ours
        if order:
            sql += f" ORDER BY {order}"
        yield from self._db.exec_driver_sql(sql, execution_options={"yield_per": PAGE})


def _label(kind: str, seq: Any) -> tuple[str, int | None]:
    number = seq if isinstance(seq, int) and not isinstance(seq, bool) else None
    return f"{kind} {seq!r}" if number is None else f"{kind} {number}", number


def _entry(decoder: _Decoder, row: Any) -> AuditEntry:
    texts = {name: _text(getattr(row, name), name) for name in TEXT_COLUMNS}
    outcome = _text(row.outcome, "outcome")
    if outcome not in OUTCOMES:
        raise _ColumnError("outcome", f"holds {outcome[:40]!r}, not one of {sorted(OUTCOMES)}")
    return AuditEntry(
        seq=_sequence(row.seq, "seq"),
        at=decoder.at(row.at),
        outcome=Outcome(outcome),
        prev_hash=_text(row.prev_hash, "prev_hash", HEX64),
        hash=_text(row.hash, "hash", HEX64),
        **texts,
    )


def _statement(decoder: _Decoder, row: Any) -> Checkpoint:
    return Checkpoint(
        seq=_sequence(row.seq, "seq"),
        hash=_text(row.hash, "hash", HEX64),
        signature=_text(row.signature, "signature", SIGNATURE),
        key_id=_text(row.key_id, "key_id"),
        at=decoder.at(row.at),
        prev_checkpoint=_sequence(row.prev_checkpoint, "prev_checkpoint"),
    )


def scan_entries(connection: Connection) -> Iterator[AuditEntry | MalformedRow]:
    """Every entry from the genesis on, in ``seq`` order, or a MalformedRow in its place."""
    decoder = _Decoder(connection, audit_entries)
    for row in decoder.rows("seq"):
        try:
            yield _entry(decoder, row)
        except _ColumnError as bad:
            label, number = _label("entry", row.seq)
            yield MalformedRow(label, number, bad.column, bad.reason)


def scan_checkpoints(connection: Connection) -> Sequence[Checkpoint | MalformedRow]:
    """Every checkpoint in ``seq`` order, or a MalformedRow in its place."""
    decoder = _Decoder(connection, audit_checkpoints)
    found: list[Checkpoint | MalformedRow] = []
    for row in decoder.rows("seq"):
        try:
            found.append(_statement(decoder, row))
        except _ColumnError as bad:
            label, number = _label("checkpoint", row.seq)
            found.append(MalformedRow(label, number, bad.column, bad.reason))
    return found


def scan_head(connection: Connection) -> Checkpoint | MalformedRow | None:
    """The signed head, a MalformedRow if a column of it is unreadable, None if absent."""
    decoder = _Decoder(connection, audit_head)
    rows = list(decoder.rows(None))
    if not rows:
        return None
    if len(rows) > 1:
        return MalformedRow("head", None, "id", f"{len(rows)} head rows where one belongs")
    try:
        return _statement(decoder, rows[0])
    except _ColumnError as bad:
        return MalformedRow("head", None, bad.column, bad.reason)
