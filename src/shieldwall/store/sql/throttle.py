"""SQL repository for login attempts: one atomic statement counts and reads back.

``charge`` is a single ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``: the row of the
key is created or incremented, and the new count returned, in one statement that the
database serialises per row (PostgreSQL's row lock; SQLite's single writer). Parallel
attempts on one key therefore get distinct counts 1, 2, 3 ... and no two can both see
"one left".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, case, delete, update
from sqlalchemy.dialects import postgresql, sqlite

from shieldwall.store.sql.tables import login_throttle

T = login_throttle.c


class SqlLoginAttempts:
    """Attempt counts in one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def charge(self, key: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
        """Count one attempt on ``key``; (attempts in its window, when the window began).

        A window that ended before ``now`` starts afresh at ``now`` with this attempt.
        """
        dialect = postgresql if self._db.dialect.name == "postgresql" else sqlite
        expired = T.window_start <= now - window
        statement = (
            dialect.insert(login_throttle)
            .values(key=key, attempts=1, window_start=now)
            .on_conflict_do_update(
                index_elements=[T.key],
                set_={
                    "attempts": case((expired, 1), else_=T.attempts + 1),
                    "window_start": case((expired, now), else_=T.window_start),
                },
            )
            .returning(T.attempts, T.window_start)
        )
        row = self._db.execute(statement).one()
        return int(row.attempts), row.window_start

    def refund(self, key: str) -> None:
        """Take one attempt back (it turned out to be a success)."""
        self._db.execute(
            update(login_throttle)
            .where(T.key == key, T.attempts > 0)
            .values(attempts=T.attempts - 1)
        )

    def clear(self, key: str) -> None:
        """Forget every attempt on ``key``."""
        self._db.execute(delete(login_throttle).where(T.key == key))

    def purge(self, before: datetime) -> None:
        """Forget windows that began before ``before`` (they are over)."""
        self._db.execute(delete(login_throttle).where(T.window_start < before))
