"""Alerts as a person may see them: through the gate, hidden exactly like absent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shieldwall.model.alert import Alert, AlertCount
from shieldwall.model.errors import NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.policy.alerts import alert_scope, may_see_alert
from shieldwall.store.protocols import Store

MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class AlertDesk:
    """Reads of alerts, each in one read-only transaction with the caller's scope."""

    store: Store

    def page(self, who: Principal, *, after: int = 0, limit: int = 100) -> Sequence[Alert]:
        """Alerts after sequence ``after`` that the caller may see, oldest first."""
        scope = alert_scope(who)
        with self.store.reading() as tx:
            return tx.alerts.page(scope, after=after, limit=max(1, min(limit, MAX_PAGE)))

    def get(self, who: Principal, seq: int) -> Alert:
        """One alert; NotFoundError when absent or not the caller's to see (no oracle)."""
        alert_scope(who)  # a role that reads no alert is refused before anything is read
        with self.store.reading() as tx:
            alert = tx.alerts.get(seq)
        if alert is None or not may_see_alert(who, alert.org_id):
            raise NotFoundError(f"alert {seq} not found")
        return alert

    def latest(
        self, who: Principal, *, before: int = 0, limit: int = 100, technique: str | None = None
    ) -> Sequence[Alert]:
        """Newest first: alerts before sequence ``before`` (0: the newest) the caller may
        see, naming ``technique`` when given."""
        scope = alert_scope(who)
        size = max(1, min(limit, MAX_PAGE))
        with self.store.reading() as tx:
            return tx.alerts.latest(scope, before=before, limit=size, technique=technique)

    def counts(
        self, who: Principal, periods: Sequence[tuple[datetime, datetime]]
    ) -> list[Sequence[AlertCount]]:
        """For each period [start, end): the caller's visible alerts per member and set of
        techniques, summed in the database, all in one read."""
        scope = alert_scope(who)
        with self.store.reading() as tx:
            return [tx.alerts.counts(scope, since=a, until=b) for a, b in periods]


def alert_json(alert: Alert) -> dict[str, Any]:
    """An alert as the API and the web pages show it."""
    return {
        "seq": alert.seq,
        "org_id": alert.org_id,
        "rule_id": alert.rule_id,
        "rule_title": alert.rule_title,
        "level": alert.level,
        "tags": list(alert.tags),
        "event_time": alert.event_time.isoformat() if alert.event_time else None,
        "created_at": alert.created_at.isoformat(),
        "source": alert.source,
        "matched": alert.matched,
        "event": alert.event,
        "entities": alert.entities.as_json(),
        "techniques": list(alert.techniques),
        "kind": alert.kind,
        "count": alert.count,
        "last_seen": alert.last_seen.isoformat() if alert.last_seen else None,
    }
