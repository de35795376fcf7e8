"""SQL repository for the live correlation state: one row per member, and the fed keys.

Written in the detect worker's transaction with the alerts of the batch, before the bus
acknowledgement: a crash before the commit leaves the last state and redelivers the batch;
a crash after it finds every detection of the batch claimed, so nothing is fed twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from shieldwall.store.sql.tables import correlation_fed, correlation_state


class SqlCorrelations:
    """Correlation state in one transaction."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now
        self._dialect: Any = postgresql if connection.dialect.name == "postgresql" else sqlite

    def load(self, member: str) -> dict[str, Any] | None:
        """The member's saved state, or None."""
        row = self._db.execute(
            select(correlation_state.c.state).where(correlation_state.c.member == member)
        ).first()
        return dict(row.state) if row is not None else None

    def save(self, member: str, state: dict[str, Any]) -> None:
        """Replace the member's state."""
        changed = self._db.execute(
            update(correlation_state)
            .where(correlation_state.c.member == member)
            .values(state=state, updated_at=self._now)
        )
        if changed.rowcount == 0:
            self._db.execute(
                correlation_state.insert().values(member=member, state=state, updated_at=self._now)
            )

    def claim(self, keys: Sequence[str]) -> set[str]:
        """The keys not claimed before, now claimed (the database enforces each once)."""
        fresh: set[str] = set()
        for key in dict.fromkeys(keys):
            claimed = self._db.execute(
                self._dialect.insert(correlation_fed)
                .values(key=key)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(correlation_fed.c.key)
            ).first()
            if claimed is not None:
                fresh.add(key)
        return fresh
