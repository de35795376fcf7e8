"""SQL repository for the live stream: where the alerts and incidents end now."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from shieldwall.store.sql.tables import alerts, incidents


class SqlStream:
    """The stream's positions in one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def heads(self) -> tuple[int, int]:
        """The newest alert sequence and incident id (0 when none)."""
        alert = self._db.execute(select(func.coalesce(func.max(alerts.c.seq), 0))).scalar_one()
        incident = self._db.execute(select(func.coalesce(func.max(incidents.c.id), 0))).scalar_one()
        return int(alert), int(incident)
