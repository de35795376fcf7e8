"""One request's intelligence session: a transaction, the directory, one viewer, one reader.

The viewer is resolved once, from a directory read in the request's own transaction, so a
suspension or a community change made by someone else applies from the next request on;
every read of the request (search, object, count, sightings, revocations) asks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from shieldwall.model.identity import Principal
from shieldwall.policy.gate import Viewer
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.identity import member_identities
from shieldwall.share.intel.read import IntelReader
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
) -> Iterator[IntelSession]:
    """Open the request's transaction and resolve its viewer once."""
    instant = now or datetime.now(UTC)
    with store.transaction() as tx:
        directory = StoreDirectory(tx)
        viewer = Viewer.for_principal(principal, directory)
        reader = IntelReader(
            tx, viewer, principal, public_refs=member_identities(tx), audit_pages=False
        )
        searcher = Searcher(tx, reader, principal, instant, anonymised_counts=anonymised_counts)
        yield IntelSession(tx, principal, directory, viewer, reader, searcher, instant)
