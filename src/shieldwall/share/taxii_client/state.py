"""Feed state through the store: each read and each save in its own short transaction.

Every save appends one audit entry (``feed.pull``) in the same transaction, so the audit
log shows each run of each feed with its outcome, never one entry per object.
"""

from __future__ import annotations

from typing import Protocol

from shieldwall.model.audit import AuditRecord, Outcome
from shieldwall.store.protocols import FeedState, Store

SYSTEM_PRINCIPAL = "system:taxii-client"


class FeedStates(Protocol):
    """What the puller needs of persistent state."""

    def load(self, name: str) -> FeedState: ...
    def save(self, state: FeedState, *, detail: str, ok: bool) -> None: ...


class StoreFeedStates:
    """:class:`FeedStates` over the shieldwall store, audited."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def load(self, name: str) -> FeedState:
        """The feed's state, or a fresh one if it never ran."""
        with self._store.transaction() as tx:
            return tx.feeds.get(name) or FeedState(name=name)

    def save(self, state: FeedState, *, detail: str, ok: bool) -> None:
        """Persist the state and one audit entry for the run (or page) it records."""
        with self._store.transaction() as tx:
            tx.feeds.save(state)
            tx.audit.append(
                AuditRecord(
                    principal=SYSTEM_PRINCIPAL,
                    org_id="",
                    action="feed.pull",
                    object_type="taxii-feed",
                    object_id=state.name,
                    outcome=Outcome.SUCCESS if ok else Outcome.FAILED,
                    detail=detail,
                )
            )
