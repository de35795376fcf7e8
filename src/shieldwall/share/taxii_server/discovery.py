"""Discovery, API root, collections and status resources."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from shieldwall.model.errors import NotFoundError
from shieldwall.model.intel import CollectionRecord, StatusRecord
from shieldwall.share.intel.publish import Entry, PublishResult
from shieldwall.share.intel.validate import format_timestamp
from shieldwall.share.taxii_server.collection_views import (
    Access,
    access,
    ensure_collections,
    revocations_collection,
)
from shieldwall.share.taxii_server.context import API_ROOT, RequestContext, check_root, utc_now

TAXII_VERSION = "application/taxii+json;version=2.1"
STIX_MEDIA = "application/stix+json;version=2.1"
STATUS_RETENTION = timedelta(days=7)
"""Statuses are kept this long after the request, then forgotten (documented, T41)."""


def discovery(ctx: RequestContext, title: str) -> dict[str, Any]:
    """The discovery resource: only the API roots this caller may use (T11)."""
    body: dict[str, Any] = {"title": title, "description": "Shieldwall TAXII 2.1 server"}
    if ctx.viewer.org_id is not None:
        body["default"] = f"/taxii2/{API_ROOT}/"
        body["api_roots"] = [f"/taxii2/{API_ROOT}/"]
    return body


def api_root(ctx: RequestContext, root: str, max_content_length: int) -> dict[str, Any]:
    """The API root resource (T12)."""
    check_root(root, ctx.viewer)
    return {
        "title": "Shieldwall intelligence",
        "description": "STIX 2.1 intelligence shared under TLP 2.0 and need-to-know",
        "versions": [TAXII_VERSION],
        "max_content_length": max_content_length,
    }


def collections(ctx: RequestContext, root: str) -> dict[str, Any]:
    """Collections this caller can read or write; the property is omitted when none (T14)."""
    check_root(root, ctx.viewer)
    listed = []
    own = revocations_collection(ctx.tx, ctx.viewer.org_id)
    mine = [*([own] if own else []), *ctx.measures_collections()]
    for record in [*ensure_collections(ctx.tx), *mine]:
        allowed = access(record, ctx.viewer, ctx.principal)
        if allowed.visible:
            listed.append(collection_resource(record, allowed))
    return {"collections": listed} if listed else {}


def collection(ctx: RequestContext, root: str, collection_id: str) -> dict[str, Any]:
    """One collection (404 when hidden, T16)."""
    record, allowed = ctx.collection(root, collection_id)
    return collection_resource(record, allowed)


def collection_resource(record: CollectionRecord, allowed: Access) -> dict[str, Any]:
    return {
        "id": record.id,
        "title": record.title,
        "description": record.description,
        "can_read": allowed.can_read,
        "can_write": allowed.can_write,
        "media_types": [STIX_MEDIA],
    }


def record_status(ctx: RequestContext, result: PublishResult) -> StatusRecord:
    """Keep the outcome of an add-objects request (and forget expired ones)."""
    now = utc_now()
    ctx.tx.statuses.purge(now - STATUS_RETENTION)
    status = StatusRecord(
        id=_uuid4(),
        org_id=ctx.principal.org_id,
        person_id=ctx.principal.person_id,
        created_at=now,
        total=result.total,
        successes=tuple(_entry(e) for e in result.successes),
        failures=tuple(_entry(e) for e in result.failures),
    )
    ctx.tx.statuses.add(status)
    return status


def status(ctx: RequestContext, root: str, status_id: str) -> dict[str, Any]:
    """A status, readable only by the organisation that submitted it (T42)."""
    check_root(root, ctx.viewer)
    found = ctx.tx.statuses.get(status_id)
    if found is None or found.org_id != ctx.principal.org_id:
        raise NotFoundError(f"status {status_id} not found")
    return status_resource(found)


def status_resource(found: StatusRecord) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": found.id,
        "status": "pending" if found.pendings else "complete",
        "request_timestamp": format_timestamp(found.created_at),
        "total_count": found.total,
        "success_count": len(found.successes),
        "failure_count": len(found.failures),
        "pending_count": len(found.pendings),
    }
    for key, entries in (
        ("successes", found.successes),
        ("failures", found.failures),
        ("pendings", found.pendings),
    ):
        if entries:
            body[key] = list(entries)
    return body


def _entry(entry: Entry) -> dict[str, str]:
    out = {"id": entry.id, "version": entry.version}
    if entry.message:
        out["message"] = entry.message
    return out


def _uuid4() -> str:
    return str(uuid.uuid4())
