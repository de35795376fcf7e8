"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, String, Text
from sqlalchemy.types import TypeDecorator, TypeEngine

from shieldwall.model.errors import InputError


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps with microseconds on both databases.

    SQLite has no timestamp type and drops the offset; storing UTC and re-attaching it on
    read keeps values identical across a round trip, which the audit hash chain relies on.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a timezone")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StoredText(TypeDecorator[str]):
    """Text that both databases hold identically, or a refusal naming why, before SQL runs.

    PostgreSQL refuses NUL characters and text longer than a ``VARCHAR(n)``; SQLite keeps
    both. Checking on bind makes the two refuse alike, with an :class:`InputError` instead
    of a driver error, and nothing of the transaction is written.
    """

    impl: TypeEngine[Any] | type[TypeEngine[Any]] = String
    cache_ok = True

    def __init__(self, length: int | None = None) -> None:
        super().__init__(length)
        if length is None:
            self.impl = Text()  # unbounded columns are TEXT, as the migrations make them
        self.max_length = length

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if "\x00" in value:
            raise InputError("text holds a NUL character, which is not stored")
        if self.max_length is not None and len(value) > self.max_length:
            raise InputError(
                f"text of {len(value)} characters is longer than the {self.max_length} kept"
            )
        return value
