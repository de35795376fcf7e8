"""The TAXII 2.1 server as one object: each endpoint is one method, one request context.

The HTTP layer (``api/taxii``) parses headers and bodies and calls a method here; every
method opens the request's own transaction and viewer (:func:`.context.request_context`),
so what a caller may see is decided here and only here, and the front end holds no
transaction of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from shieldwall.model.identity import Principal
from shieldwall.share.intel.validation_pool import ValidationPool
from shieldwall.share.taxii_server import discovery, objects
from shieldwall.share.taxii_server.context import request_context
from shieldwall.share.taxii_server.cursor import CursorCodec
from shieldwall.share.taxii_server.measures import MeasureFeed
from shieldwall.share.taxii_server.objects import PageResult
from shieldwall.store.protocols import Store

Params = Iterable[tuple[str, str]]


@dataclass(frozen=True)
class TaxiiServer:
    """The server's resources over one store, with its title and request-size limit."""

    store: Store
    codec: CursorCodec
    title: str
    max_content_length: int
    validation: ValidationPool = field(default_factory=lambda: ValidationPool(0))
    """Where a POST's objects are checked: in place, or in a worker process when costly."""
    measures: MeasureFeed | None = None
    """Members' protective measures, one read-only collection each (:mod:`.measures`)."""

    def discovery(self, who: Principal) -> dict[str, Any]:
        """Server discovery (T11)."""
        with request_context(self.store, who, measures=self.measures) as ctx:
            return discovery.discovery(ctx, self.title)

    def api_root(self, who: Principal, root: str) -> dict[str, Any]:
        """API root information (T12, T13)."""
        with request_context(self.store, who, measures=self.measures) as ctx:
            return discovery.api_root(ctx, root, self.max_content_length)

    def collections(self, who: Principal, root: str) -> dict[str, Any]:
        """Collections this caller can read or write (T14, T15); made on first listing."""
        with request_context(self.store, who, measures=self.measures, write=True) as ctx:
            return discovery.collections(ctx, root)

    def collection(self, who: Principal, root: str, collection_id: str) -> dict[str, Any]:
        """One collection (T16)."""
        with request_context(self.store, who, measures=self.measures) as ctx:
            return discovery.collection(ctx, root, collection_id)

    def objects(
        self,
        who: Principal,
        root: str,
        collection_id: str,
        params: Params,
        object_id: str | None = None,
    ) -> PageResult:
        """Objects of a collection (or one object's versions), filtered and paged."""
        with request_context(self.store, who, measures=self.measures) as ctx:
            return objects.get_objects(ctx, self.codec, root, collection_id, params, object_id)

    def add_objects(
        self, who: Principal, root: str, collection_id: str, envelope: Any
    ) -> dict[str, Any]:
        """Store what is valid and allowed; the status names every refusal (T33-T42).

        Three steps, so one member's parsing never holds the others back: a read checks
        the collection (404/403 before any work), the objects are validated outside any
        transaction, and the write transaction holds the lock only to store them.
        """
        with request_context(self.store, who, measures=self.measures) as ctx:
            record, _ = ctx.collection(root, collection_id, write=True)
        listed = objects.envelope_objects(envelope)
        checked = self.validation.validate(listed, source=f"taxii:{record.id}")
        with request_context(self.store, who, measures=self.measures, write=True) as ctx:
            return objects.add_objects(ctx, root, collection_id, envelope, checked)

    def delete_object(
        self, who: Principal, root: str, collection_id: str, object_id: str, params: Params
    ) -> None:
        """Delete the caller's own versions of an object (T45, T46)."""
        with request_context(self.store, who, measures=self.measures, write=True) as ctx:
            objects.delete_object(ctx, root, collection_id, object_id, params)

    def versions(
        self, who: Principal, root: str, collection_id: str, object_id: str, params: Params
    ) -> PageResult:
        """Versions of one object (T44)."""
        with request_context(self.store, who, measures=self.measures) as ctx:
            return objects.get_versions(ctx, self.codec, root, collection_id, object_id, params)

    def manifest(self, who: Principal, root: str, collection_id: str, params: Params) -> PageResult:
        """Manifest of a collection (T23)."""
        with request_context(self.store, who, measures=self.measures) as ctx:
            return objects.get_manifest(ctx, self.codec, root, collection_id, params)

    def status(self, who: Principal, root: str, status_id: str) -> dict[str, Any]:
        """Status of an add-objects request (T41, T42)."""
        with request_context(self.store, who, measures=self.measures) as ctx:
            return discovery.status(ctx, root, status_id)
