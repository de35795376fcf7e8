"""SQL repository for the state of pulled TAXII feeds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select, update

from shieldwall.store.protocols import FeedState
from shieldwall.store.sql.tables import taxii_feed_state

MAX_ERROR_LENGTH = 2000


def _state(row: Any) -> FeedState:
    return FeedState(
        name=row.name,
        added_after=row.added_after,
        last_run_at=row.last_run_at,
        last_success_at=row.last_success_at,
        last_error=row.last_error,
        objects_total=row.objects_total,
        runs=row.runs,
    )


class SqlFeedStates:
    """Feed states in one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def get(self, name: str) -> FeedState | None:
        row = self._db.execute(
            select(taxii_feed_state).where(taxii_feed_state.c.name == name)
        ).first()
        return _state(row) if row else None

    def save(self, state: FeedState) -> None:
        """Insert or replace the feed's row."""
        values = {
            "added_after": state.added_after,
            "last_run_at": state.last_run_at,
            "last_success_at": state.last_success_at,
            "last_error": state.last_error[:MAX_ERROR_LENGTH],
            "objects_total": state.objects_total,
            "runs": state.runs,
        }
        changed = self._db.execute(
            update(taxii_feed_state).where(taxii_feed_state.c.name == state.name).values(**values)
        )
        if changed.rowcount == 0:
            self._db.execute(taxii_feed_state.insert().values(name=state.name, **values))

    def list(self) -> Sequence[FeedState]:
        rows = self._db.execute(select(taxii_feed_state).order_by(taxii_feed_state.c.name))
        return [_state(row) for row in rows]
