"""Core statements run straight on the transaction's DBAPI cursor, compiled once.

``Connection.execute`` of a statement SQLAlchemy has cached still costs tens of
microseconds of Python per call (the execution context, parameter and result set-up,
events), several times what sqlite3 takes to run a small indexed statement. The fuse
stage runs a few such statements per alert hit, so that machinery, not the database, was
most of its CPU. A :class:`Direct` compiles its statement once per dialect into SQL text,
keeps each parameter's bind processor and each result column's result processor (those
of the column types, so :class:`.types.UtcDateTime`'s UTC handling and SQLite text
format, :class:`.types.StoredText`'s refusals and JSON columns behave exactly as through
SQLAlchemy), and runs the text on a cursor of the connection's own DBAPI connection:
the same connection, in the same transaction as the statements around it.

It is meant for small statements on hot paths, and leaves out on purpose:

* Python-side column defaults (``default=``, ``onupdate=``): refused when compiling;
* events other than ``before_cursor_execute``: its listeners see these statements (so
  benchmarks and tests count them), with no execution context and their return value
  ignored (``retval=True`` rewriting is not supported);
* an empty list for an expanding (``IN``) parameter: refused (the callers skip the
  statement, as they would skip a query that can find nothing).

Driver errors are raised as SQLAlchemy raises them (the ``DBAPIError`` family), and a
value a column type refuses as a ``StatementError`` around the type's exception, so the
store's translation into :mod:`shieldwall.model.errors` applies unchanged.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql.elements import BindParameter

Params = Mapping[str, Any]
_REQUIRED = object()
"""The default of a parameter the caller must give."""


class _Plan:
    """A statement's SQL text for one dialect and one length of each expanding parameter,
    and how to turn the caller's values into the driver's parameters."""

    def __init__(self, compiled: Any, dialect: Dialect, lengths: Mapping[str, int]) -> None:
        dummies: dict[str, Any] = {}
        for each in compiled.binds.values():
            dummies[each.key] = [None] * lengths[each.key] if each.expanding else None
        state = compiled.construct_expanded_state(dummies)
        self.sql: str = state.statement
        self.positional: bool = compiled.positional
        element_of = {
            name: (compiled.binds[owner].key, index)
            for owner, names in state.parameter_expansion.items()
            for index, name in enumerate(names)
        }
        order = list(state.positiontup or ()) if self.positional else list(state.parameters)
        escaped = compiled.escaped_bind_names or {}
        unescaped = {value: key for key, value in escaped.items()}
        self.slots: list[tuple[str, str, int, Any, Callable[[Any], Any] | None]] = []
        """(driver name, caller's key, element index or -1, default, processor)"""
        for name in order:
            if name in element_of:
                key, index = element_of[name]
                processor = state.processors.get(name)
                self.slots.append((name, key, index, _REQUIRED, processor))
                continue
            raw = name if self.positional else unescaped.get(name, name)
            bind: BindParameter[Any] = compiled.binds[raw]
            default = _REQUIRED if bind.required else bind.effective_value
            processor = bind.type._cached_bind_processor(dialect)
            self.slots.append((escaped.get(raw, raw), bind.key, -1, default, processor))

        self.names = [slot[0] for slot in self.slots]
        self.simple = (
            [(key, processor) for _, key, index, default, processor in self.slots]
            if all(slot[2] < 0 and slot[3] is _REQUIRED for slot in self.slots)
            else None
        )
        """Every parameter the caller's own, none expanded (the usual case): bound in
        one pass without defaults."""

    def bind(self, params: Params) -> Any:
        """The driver's parameters: a list (qmark, numeric) or a dict (pyformat, named)."""
        if self.simple is not None:
            try:
                values = [
                    params[key] if processor is None else processor(params[key])
                    for key, processor in self.simple
                ]
            except KeyError as exc:
                raise KeyError(f"a value is required for the parameter {exc.args[0]!r}") from None
        else:
            values = []
            for _, key, index, default, processor in self.slots:
                value = params.get(key, default)
                if value is _REQUIRED:
                    raise KeyError(f"a value is required for the parameter {key!r}")
                if index >= 0:
                    value = value[index]
                values.append(value if processor is None else processor(value))
        if self.positional:
            return values
        return dict(zip(self.names, values, strict=True))


class _Compiled:
    """A statement compiled for one dialect, with a plan per length of its expanding
    parameters and its result rows' shape."""

    def __init__(self, statement: Any, dialect: Dialect, keys: Sequence[str] | None) -> None:
        compiled: Any = statement.compile(dialect=dialect, column_keys=keys)
        if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
            raise ValueError("Direct runs no Python-side column defaults; give every value")
        self.compiled = compiled
        self.dialect = dialect
        self.expanding = sorted(b.key for b in compiled.binds.values() if b.expanding)
        self.plans: dict[tuple[int, ...], _Plan] = {}
        columns = list(getattr(statement, "exported_columns", ()))
        self.processors = [
            (index, processor)
            for index, column in enumerate(columns)
            if (processor := column.type._cached_result_processor(dialect, None)) is not None
        ]
        names = [
            str(getattr(column, "key", None) or f"column_{n}") for n, column in enumerate(columns)
        ]
        self.row: Any = namedtuple("Row", names, rename=True) if names else None

    def plan(self, params: Params) -> _Plan:
        if not self.expanding:
            lengths: tuple[int, ...] = ()
        else:
            lengths = tuple(len(params[key]) for key in self.expanding)
            if 0 in lengths:
                raise ValueError("an empty list for an expanding parameter; skip the statement")
        plan = self.plans.get(lengths)
        if plan is None:
            plan = self.plans[lengths] = _Plan(
                self.compiled, self.dialect, dict(zip(self.expanding, lengths, strict=True))
            )
        return plan


class Direct:
    """A Core statement compiled once per dialect and run on the DBAPI cursor.

    ``keys`` names the columns an ``insert()`` or ``update()`` without explicit values
    sets (as SQLAlchemy takes them from the first row given); other statements name their
    parameters with ``bindparam``. Parameters are given as a mapping from those keys.
    """

    def __init__(self, statement: Any, keys: Sequence[str] | None = None) -> None:
        self._statement = statement
        self._keys = list(keys) if keys is not None else None
        self._compiled: WeakKeyDictionary[Dialect, _Compiled] = WeakKeyDictionary()

    def all(self, db: Connection, params: Params | None = None) -> list[Any]:
        """The rows the statement returns (named tuples), through the result processors."""
        compiled = self._for(db)
        rows = self._run(db, compiled, params or {}, fetch=True)
        processors, make = compiled.processors, compiled.row
        assert make is not None, "the statement returns no rows"
        if not processors:
            return [make._make(row) for row in rows]
        found = []
        for row in rows:
            values = list(row)
            for index, processor in processors:
                values[index] = processor(values[index])
            found.append(make._make(values))
        return found

    def first(self, db: Connection, params: Params | None = None) -> Any | None:
        """The first row returned, or None."""
        rows = self.all(db, params)
        return rows[0] if rows else None

    def run(self, db: Connection, params: Params | None = None) -> int:
        """Run it once; the rows it changed, as the driver counts them."""
        return int(self._run(db, self._for(db), params or {}, fetch=False))

    def many(self, db: Connection, rows: Sequence[Params]) -> None:
        """Run it once per parameter set, in one ``executemany`` (nothing for none). The
        sets share one plan: expanding parameters must have the same length in each."""
        if not rows:
            return
        compiled = self._for(db)
        plan = compiled.plan(rows[0])
        bound = [self._bound(plan, params) for params in rows]
        cursor = db.connection.cursor()
        if db.dispatch.before_cursor_execute:
            db.dispatch.before_cursor_execute(db, cursor, plan.sql, bound, None, True)
        try:
            cursor.executemany(plan.sql, bound)
        except compiled.dialect.loaded_dbapi.Error as exc:
            raise _driver_error(compiled, plan, bound, exc) from exc
        finally:
            cursor.close()

    def _for(self, db: Connection) -> _Compiled:
        dialect = db.dialect
        compiled = self._compiled.get(dialect)
        if compiled is None:
            compiled = self._compiled[dialect] = _Compiled(self._statement, dialect, self._keys)
        return compiled

    def _bound(self, plan: _Plan, params: Params) -> Any:
        try:
            return plan.bind(params)
        except (KeyError, IndexError):
            raise
        except Exception as exc:  # a column type refused a value: as SQLAlchemy reports it
            raise StatementError(str(exc), plan.sql, dict(params), exc) from exc

    def _run(self, db: Connection, compiled: _Compiled, params: Params, *, fetch: bool) -> Any:
        plan = compiled.plan(params)
        bound = self._bound(plan, params)
        cursor = db.connection.cursor()
        if db.dispatch.before_cursor_execute:
            db.dispatch.before_cursor_execute(db, cursor, plan.sql, bound, None, False)
        try:
            cursor.execute(plan.sql, bound)
            return cursor.fetchall() if fetch else cursor.rowcount
        except compiled.dialect.loaded_dbapi.Error as exc:
            raise _driver_error(compiled, plan, bound, exc) from exc
        finally:
            cursor.close()


def _driver_error(compiled: _Compiled, plan: _Plan, bound: Any, exc: Exception) -> Exception:
    """The driver's error as ``Connection.execute`` raises it (IntegrityError, ...)."""
    dbapi = compiled.dialect.loaded_dbapi
    return DBAPIError.instance(plan.sql, bound, exc, dbapi.Error, dialect=compiled.dialect)
