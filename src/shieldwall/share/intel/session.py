"""One request's intelligence session: a transaction, the directory, one viewer, one reader.

The viewer is resolved once, from a directory read in the request's own transaction, so a
suspension or a community change made by someone else applies from the next request on;
every read of the request (search, object, count, sightings, revocations) asks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from shieldwall.model.audit import AuditRecord
from shieldwall.model.identity import Principal
from shieldwall.policy.gate import Viewer
from shieldwall.policy.roles import Action, authorise
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.identity import member_identities
from shieldwall.share.intel.read import AuditSink, IntelReader
from shieldwall.share.intel.search import Searcher
from shieldwall.store.protocols import Store, UnitOfWork


@dataclass
class IntelSession:
    """What every intelligence read or write of one request works with."""

    tx: UnitOfWork
    principal: Principal
    directory: StoreDirectory
    viewer: Viewer
    reader: IntelReader
    searcher: Searcher
    now: datetime


@contextmanager
def intel_session(
    store: Store,
    principal: Principal,
    *,
    now: datetime | None = None,
    anonymised_counts: bool = True,
    write: bool = False,
) -> Iterator[IntelSession]:
    """Open the request's transaction and resolve its viewer once.

    A read (``write`` False) runs in a read-only transaction that no writer blocks; the
    audit records of what it served are written right after, before the answer leaves,
    so nothing restricted is served unaudited (:func:`written_after`). A principal whose
    role may not read intelligence (a sensor) is refused before anything is opened.
    """
    authorise(principal, Action.INTEL_READ, None)
    instant = now or datetime.now(UTC)
    with written_after(store, write) as (opened, audit), opened as tx:
        directory = StoreDirectory(tx)
        viewer = Viewer.for_principal(principal, directory)
        reader = IntelReader(
            tx,
            viewer,
            principal,
            public_refs=member_identities(tx),
            audit_pages=False,
            audit=audit,
        )
        searcher = Searcher(tx, reader, principal, instant, anonymised_counts=anonymised_counts)
        yield IntelSession(tx, principal, directory, viewer, reader, searcher, instant)


@contextmanager
def written_after(
    store: Store, write: bool
) -> Iterator[tuple[AbstractContextManager[UnitOfWork], AuditSink | None]]:
    """The transaction to open and where its audit records go.

    A write transaction audits in itself (None: the reader's default). A read-only one
    collects the records and appends them in one short write transaction after it closes,
    and only when the read succeeded.
    """
    if write:
        yield store.transaction(), None
        return
    pending: list[AuditRecord] = []
    yield store.reading(), pending.append
    if pending:
        with store.transaction() as tx:
            for record in pending:
                tx.audit.append(record)
