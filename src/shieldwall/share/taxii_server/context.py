"""One TAXII request's context: a transaction, the directory, the viewer, the collection.

The viewer is built once per request, from a directory read in the request's own
transaction, so suspensions and community changes take effect on the next request.
Every resource the caller may not see answers 404, exactly like an absent one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from shieldwall.model.errors import NotFoundError, PermissionDeniedError
from shieldwall.model.identity import Principal
from shieldwall.model.intel import CollectionRecord
from shieldwall.policy.gate import Viewer
from shieldwall.policy.roles import Action, authorise
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.identity import member_identities
from shieldwall.share.intel.read import AuditSink, IntelReader
from shieldwall.share.intel.session import written_after
from shieldwall.share.taxii_server.collection_views import (
    Access,
    access,
    measures_collection,
    revocations_collection,
)
from shieldwall.share.taxii_server.measures import MeasureFeed, collection_members
from shieldwall.store.protocols import Store, UnitOfWork

API_ROOT = "intel"
"""The one API root: ``/taxii2/intel/``."""


@dataclass
class RequestContext:
    """What every TAXII operation of one request works with."""

    tx: UnitOfWork
    principal: Principal
    directory: StoreDirectory
    viewer: Viewer
    audit: AuditSink | None = None
    """Where audit records of reads go (None: this transaction's own audit log)."""
    measures: MeasureFeed | None = None
    """Members' protective measures, when the runtime wired them (:mod:`.measures`)."""

    def reader(self, *, audit_pages: bool = True) -> IntelReader:
        return IntelReader(
            self.tx,
            self.viewer,
            self.principal,
            public_refs=member_identities(self.tx),
            audit_pages=audit_pages,
            audit=self.audit,
        )

    def collection(
        self, root: str, collection_id: str, *, read: bool = False, write: bool = False
    ) -> tuple[CollectionRecord, Access]:
        """The collection if the caller may see it (404) and do what it asks (403)."""
        check_root(root, self.viewer)
        record = self.tx.collections.get(collection_id)
        if record is None:
            own = revocations_collection(self.tx, self.viewer.org_id)
            record = own if own is not None and own.id == collection_id else None
        if record is None:
            record = next((c for c in self.measures_collections() if c.id == collection_id), None)
        allowed = access(record, self.viewer, self.principal) if record else Access(False, False)
        if record is None or not allowed.visible:
            raise NotFoundError(f"collection {collection_id} not found")
        if read and not allowed.can_read:
            raise PermissionDeniedError("you may not read this collection")
        if write and not allowed.can_write:
            raise PermissionDeniedError("you may not add objects to this collection")
        return record, allowed

    def measures_collections(self) -> list[CollectionRecord]:
        """Every member's measures collection (which ones the caller sees is ``access``)."""
        return [measures_collection(*m) for m in collection_members(self.tx, self.measures)]


def check_root(root: str, viewer: Viewer) -> None:
    """The API root exists and the caller may use it (members only)."""
    if root != API_ROOT or viewer.org_id is None:
        raise NotFoundError(f"API root {root} not found")


@contextmanager
def request_context(
    store: Store,
    principal: Principal,
    *,
    write: bool = False,
    measures: MeasureFeed | None = None,
) -> Iterator[RequestContext]:
    """Open the request's transaction and resolve the viewer once.

    Reads run in a read-only transaction no writer blocks; their audit records are
    written once the read is done (:func:`~shieldwall.share.intel.session.written_after`).
    Every TAXII resource is intelligence: a role that may not read it (a sensor) is
    refused (403) before anything is opened.
    """
    authorise(principal, Action.INTEL_READ, None)
    with written_after(store, write) as (opened, audit), opened as tx:
        directory = StoreDirectory(tx)
        viewer = Viewer.for_principal(principal, directory)
        yield RequestContext(tx, principal, directory, viewer, audit, measures)


def utc_now() -> datetime:
    return datetime.now(UTC)
