"""Requests for assistance for the other parts of ``respond`` that report on them.

The shift handover lists the requests still waiting (open or accepted) that the person
handing over may see; the daily situation report lists those of its period that the
recipient organisation, as a whole, may see. Both ask the same gate as every read; the
runtime adapts these answers to the handover's and the report's own item types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shieldwall.model.assistance import AssistRequest, RequestStatus
from shieldwall.model.identity import Principal
from shieldwall.policy import StoreDirectory, Viewer, org_viewer
from shieldwall.policy.roles import Action
from shieldwall.respond.assist import rules
from shieldwall.store.protocols import Store, UnitOfWork

WAITING = frozenset({RequestStatus.OPEN, RequestStatus.ACCEPTED})
BATCH = 500


@dataclass(frozen=True, slots=True)
class AssistanceFeed:
    """Requests for assistance as the handover and the situation report need them."""

    store: Store

    def waiting(self, who: Principal, since: datetime | None = None) -> Sequence[AssistRequest]:
        """Requests not closed that the caller may see (``since`` kept for the handover's
        protocol: what still waits matters, whenever it was asked)."""
        rules.require(who, Action.ASSIST_READ)
        with self.store.reading() as tx:
            viewer = Viewer.for_principal(who, StoreDirectory(tx))
            return [r for r in _all(tx) if r.status in WAITING and _sees(viewer, r)]

    def of_period(self, org_id: str, start: datetime, end: datetime) -> Sequence[AssistRequest]:
        """Requests asked in ``[start, end)`` that the organisation as a whole may see."""
        with self.store.reading() as tx:
            directory = StoreDirectory(tx)
            org = directory.organisation(org_id)
            if org is None:
                return []
            viewer = org_viewer(directory, org)
            return [r for r in _all(tx) if start <= r.created_at < end and _sees(viewer, r)]


def _sees(viewer: Viewer, request: AssistRequest) -> bool:
    return viewer.decide(rules.descriptor(request)).allowed


def _all(tx: UnitOfWork) -> list[AssistRequest]:
    found: list[AssistRequest] = []
    after = 0
    while True:
        batch = tx.assistance.page(None, after=after, limit=BATCH)
        found += batch
        if len(batch) < BATCH:
            return found
        after = batch[-1].id
