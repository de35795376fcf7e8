"""The statements of :meth:`SqlAlerts.claim`, run as multi-row SQL on the driver.

Through ``Connection.execute`` a hit cost about 20 µs of SQLAlchemy's per-row work (the
insertmanyvalues parameter renaming and processing), more than the database took to
store it, and on PostgreSQL psycopg parsed again each statement of a new row count
(milliseconds for a thousand rows). Here each statement is compiled once per dialect by
SQLAlchemy, its one row of placeholders repeated for ``n`` rows, with ``n`` a power of
two (a batch of 300 rows runs as 256 + 32 + 8 + 4), so each dialect has a handful of
texts, which the drivers parse and PostgreSQL prepares once. Values pass through the
column types' own bind processors (:class:`.types.StoredText`'s refusals, UTC times,
the JSON columns' serializer), exactly as through ``Connection.execute``, and the text
runs with ``exec_driver_sql`` on the transaction's connection, so errors are SQLAlchemy's.

The fuse helper's general facility for this may replace it later; it is kept local.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Dialect, case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, StatementError

from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.errors import ShieldwallError
from shieldwall.store.sql.tables import alert_hits, alerts

MAX_ROWS = 256
"""Rows per statement at most (17 values each: under every driver's parameter limit)."""

ALERT_COLUMNS = (
    "key",
    "org_id",
    "rule_id",
    "rule_title",
    "level",
    "tags",
    "event_time",
    "source",
    "matched",
    "event",
    "created_at",
    "dedup_key",
    "hit_count",
    "last_seen",
    "entities",
    "techniques",
    "kind",
)
HIT_COLUMNS = ("key", "alert_seq", "event_time", "entities")
_NAMED = re.compile(r"%\((\w+)\)s")
_CAST = re.compile(r"%s::[A-Z][A-Z ]*")


def _upsert(dialect: Any) -> Any:
    """Insert alerts, or count their hits on the alert of the same dedup key; each row
    answers its sequence and dedup key, whether inserted or counted on."""
    statement = dialect.insert(alerts)
    later = statement.excluded.last_seen
    return statement.on_conflict_do_update(
        index_elements=["dedup_key"],
        set_={
            "hit_count": alerts.c.hit_count + statement.excluded.hit_count,
            "last_seen": case(
                (alerts.c.last_seen.is_(None), later),
                (later > alerts.c.last_seen, later),
                else_=alerts.c.last_seen,
            ),
        },
    ).returning(alerts.c.seq, alerts.c.dedup_key)


def _identity(value: Any) -> Any:
    return value


class MultiRow:
    """One INSERT statement as driver SQL for any number of rows, with its processors."""

    def __init__(self, statement: Any, columns: Sequence[str], dialect: Dialect) -> None:
        compiled: Any = statement.compile(dialect=dialect, column_keys=list(columns))
        text: str = compiled.string
        if compiled.positional:
            order = list(compiled.positiontup)
        else:  # pyformat (psycopg): positional %s, which psycopg takes with a sequence
            order = _NAMED.findall(text)
            text = _NAMED.sub("%s", text)
        if order != list(columns):
            raise ValueError(f"unexpected parameters {order} for {list(columns)}")
        start = text.index(" VALUES (") + len(" VALUES ")
        end = _closing(text, start) + 1
        self._head, self._row, self._tail = text[:start], text[start:end], text[end:]
        table = statement.table
        self.processors: tuple[Callable[[Any], Any], ...] = tuple(
            table.c[name].type._cached_bind_processor(dialect) or _identity for name in columns
        )
        self._texts: dict[int, str] = {}
        self._arrays = (
            _arrays(self._head, self._row, self._tail) if dialect.name == "postgresql" else ""
        )

    def text(self, rows: int) -> str:
        """The SQL of ``rows`` rows (a power of two, so only a few are ever built)."""
        found = self._texts.get(rows)
        if found is None:
            found = self._texts[rows] = self._head + ", ".join([self._row] * rows) + self._tail
        return found

    def run(self, db: Connection, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """Insert processed rows (in order); every row the statement returns."""
        if self._arrays:  # one array a column: one short text, whatever the rows
            columns = tuple(list(column) for column in zip(*rows, strict=True))
            return list(db.exec_driver_sql(self._arrays, columns).all())
        found: list[Any] = []
        for first, count in chunks(len(rows)):
            values = [value for row in rows[first : first + count] for value in row]
            found.extend(db.exec_driver_sql(self.text(count), tuple(values)).all())
        return found


@contextmanager
def refused_as_statement_error() -> Iterator[None]:
    """A value a column type refuses raised as ``Connection.execute`` raises it: a
    ``StatementError`` around the type's exception (which the store unwraps)."""
    try:
        yield
    except (DBAPIError, StatementError):
        raise
    except (ShieldwallError, TypeError, ValueError) as exc:
        raise StatementError(str(exc), None, None, exc) from exc


def _arrays(head: str, row: str, tail: str) -> str:
    """PostgreSQL's form of the statement: the rows from one array per column (``unnest``),
    each placeholder's cast (psycopg's compiler writes one) made an array's, sent in
    binary (in text, psycopg escapes each element with a regular expression)."""
    parts = row[1:-1].split(", ")
    if not all(_CAST.fullmatch(part) for part in parts) or not head.endswith(" VALUES "):
        raise ValueError(f"unexpected row of placeholders {row}")
    arrays = ", ".join("%b" + part[2:] + "[]" for part in parts)  # binary: no escaping
    select = "SELECT * FROM unnest(" + arrays + ")"  # noqa: S608 (compiled SQL, no values)
    return head.removesuffix("VALUES ") + select + tail


def chunks(total: int) -> Iterator[tuple[int, int]]:
    """(first, count) of consecutive slices of ``total`` rows, each a power of two no
    more than :data:`MAX_ROWS`, largest first."""
    first = 0
    while first < total:
        left = total - first
        count = MAX_ROWS if left >= MAX_ROWS else 1 << (left.bit_length() - 1)
        yield first, count
        first += count


def _closing(text: str, start: int) -> int:
    """The index of the parenthesis closing the one at ``start``."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("unbalanced parentheses in compiled SQL")


class ClaimStatements:
    """A dialect's statements of the claim, built once per dialect (per engine: the
    JSON columns' serializer is the engine's)."""

    @classmethod
    def of(cls, dialect: Dialect) -> ClaimStatements:
        found = _BUILT.get(dialect)
        if found is None:
            found = _BUILT[dialect] = cls(dialect)
        return found

    def __init__(self, dialect: Dialect) -> None:
        module: Any = postgresql if dialect.name == "postgresql" else sqlite
        self.upsert = MultiRow(_upsert(module), ALERT_COLUMNS, dialect)
        hits = (
            module.insert(alert_hits)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(alert_hits.c.key)
        )
        self.hits = MultiRow(hits, HIT_COLUMNS, dialect)
        self.key = alert_hits.c.key.type._cached_bind_processor(dialect) or _identity
        key = dialect.identifier_preparer.quote("key")  # a constant, quoted; values are bound
        self._select = "SELECT " + key + " FROM alert_hits WHERE " + key  # noqa: S608
        self._mark = "?" if dialect.paramstyle == "qmark" else "%s"
        if dialect.paramstyle not in ("qmark", "pyformat", "format"):
            raise ValueError(f"paramstyle {dialect.paramstyle} not supported")
        self._any = self._select + " = ANY(%b::VARCHAR[])" if dialect.name == "postgresql" else ""

    def known(self, db: Connection, keys: Sequence[str]) -> set[str]:
        """Which of these hit keys are stored already."""
        key = self.key
        if self._any:
            listed = [key(each) for each in keys]
            return {row[0] for row in db.exec_driver_sql(self._any, (listed,))}
        found: set[str] = set()
        for first, count in chunks(len(keys)):
            values = tuple(key(each) for each in keys[first : first + count])
            text = self._select + " IN (" + ", ".join([self._mark] * count) + ")"
            found.update(row[0] for row in db.exec_driver_sql(text, values))
        return found


Processors = Sequence[Callable[[Any], Any]]


class _Once:
    """A column's processed value per object, or per value for hashable ones (entities,
    tags: hosts and users recur across events); sharing changes nothing, as equal values
    give equal text. By object, the batch keeps the objects alive (their ids stay theirs)."""

    __slots__ = ("_by_value", "_done", "_process")

    def __init__(self, process: Callable[[Any], Any], *, by_value: bool = False) -> None:
        self._process = process
        self._by_value = by_value
        self._done: dict[Any, Any] = {}

    def __call__(self, value: Any, made: Callable[[Any], Any] | None = None) -> Any:
        key = value if self._by_value else id(value)
        found = self._done.get(key)
        if found is None:
            found = self._done[key] = self._process(value if made is None else made(value))
        return found


def alert_rows(
    groups: Sequence[Sequence[NewAlert]], now: datetime, processors: Processors
) -> list[list[Any]]:
    """The upsert's processed rows: per group of hits of one dedup key, a new alert (the
    first hit's evidence) or the existing one counted up by the group's hits.

    The hits of one event share their evidence, and equal entities, tags and techniques
    recur: each is processed (serialized) once per batch, not once per row.
    """
    key, org, rule, title, level, _, time, source, matched, _, created, dedup = processors[:12]
    count, last, _, _, kind = processors[12:]
    tags, event = _Once(processors[5], by_value=True), _Once(processors[9])
    entities = _Once(processors[14], by_value=True)
    techniques = _Once(processors[15], by_value=True)
    stamp = created(now)
    rows = []
    for hits in groups:
        alert = hits[0]
        times = [hit.event_time for hit in hits if hit.event_time is not None]
        rows.append(
            [
                key(alert.key),
                org(alert.org_id),
                rule(alert.rule_id),
                title(alert.rule_title),
                level(alert.level),
                tags(alert.tags, list),
                time(alert.event_time),
                source(alert.source),
                matched(alert.matched),
                event(alert.event),
                stamp,
                dedup(alert.dedup_key or alert.key),
                count(len(hits)),
                last(max(times) if times else None),
                entities(alert.entities, Entities.as_json),
                techniques(alert.techniques, list),
                kind(alert.kind),
            ]
        )
    return rows


def hit_rows(hits: Sequence[tuple[str, int, NewAlert]], processors: Processors) -> list[Any]:
    """The hits' processed rows (key, alert sequence, event time, entities); equal
    entities are serialized once."""
    key, seq, time, _ = processors
    entities = _Once(processors[3], by_value=True)
    return [
        (key(hit_key), seq(alert_seq), time(alert.event_time), entities(alert.entities, as_json))
        for hit_key, alert_seq, alert in hits
    ]


as_json = Entities.as_json
_BUILT: WeakKeyDictionary[Dialect, ClaimStatements] = WeakKeyDictionary()
