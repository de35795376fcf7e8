"""Get/add/delete objects, get an object, manifest and versions: pages through the gate.

Pages are keyset pages over the server's sequence (``date_added`` order, strictly
increasing, so it is also the stable tie-breaker); the ``next`` token carries the last
sequence served and is bound to the caller and the filter (:mod:`.cursor`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from shieldwall.model.audit import AuditRecord
from shieldwall.model.errors import InputError, NotFoundError
from shieldwall.model.intel import CollectionRecord, IntelQuery, VersionSelector
from shieldwall.share.intel.publish import publish
from shieldwall.share.intel.read import Page, Served
from shieldwall.share.intel.validate import ValidObject
from shieldwall.share.taxii_server import collection_views as views
from shieldwall.share.taxii_server.context import RequestContext
from shieldwall.share.taxii_server.cursor import CursorCodec, filter_digest
from shieldwall.share.taxii_server.discovery import STIX_MEDIA, record_status, status_resource
from shieldwall.share.taxii_server.measures import MeasurePage, measures_page
from shieldwall.share.taxii_server.params import Paging, parse_paging
from shieldwall.share.taxii_server.tombstones import TombstonePage, tombstone_page


@dataclass(frozen=True, slots=True)
class PageResult:
    """A TAXII page: the JSON body and the date headers (T30)."""

    body: bytes
    first_added: str | None = None
    last_added: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def get_objects(
    ctx: RequestContext,
    codec: CursorCodec,
    root: str,
    collection_id: str,
    params: Iterable[tuple[str, str]],
    object_id: str | None = None,
) -> PageResult:
    """The objects envelope (T17-T32, T43)."""
    record, _ = ctx.collection(root, collection_id, read=True)
    if record.kind == views.REVOCATIONS:
        found = tombstone_page(ctx, codec, record, params, "objects", object_id)
        return _tombstones(found, "objects", [t.body for t in found.items])
    if record.kind == views.MEASURES:
        listed = _measures(ctx, codec, record, params, "objects", object_id)
        return _measure_result(listed, "objects", [i.body for i in listed.items])
    page, next_token = _page(ctx, codec, root, collection_id, params, "objects", object_id)
    body = b'{"more":' + (b"true" if page.more else b"false")
    if next_token:
        body += b',"next":' + orjson.dumps(next_token)
    if page.items:
        body += b',"objects":[' + ",".join(i.body for i in page.items).encode() + b"]"
    return _result(body + b"}", page.items)


def get_manifest(
    ctx: RequestContext, codec: CursorCodec, root: str, collection_id: str, params: Any
) -> PageResult:
    """Manifest records with the same filters as objects (T23)."""
    record, _ = ctx.collection(root, collection_id, read=True)
    if record.kind == views.REVOCATIONS:
        found = tombstone_page(ctx, codec, record, params, "manifest")
        return _tombstones(found, "objects", _computed_manifest(found.items))
    if record.kind == views.MEASURES:
        listed = _measures(ctx, codec, record, params, "manifest")
        return _measure_result(listed, "objects", _computed_manifest(listed.items))
    page, next_token = _page(ctx, codec, root, collection_id, params, "manifest", None)
    records = [
        {
            "id": i.stix_id,
            "date_added": i.date_added,
            "version": i.version,
            "media_type": STIX_MEDIA,
        }
        for i in page.items
    ]
    return _envelope(page, next_token, "objects", records)


def get_versions(
    ctx: RequestContext,
    codec: CursorCodec,
    root: str,
    collection_id: str,
    object_id: str,
    params: Any,
) -> PageResult:
    """Version timestamps of one object, in date_added order, paged (T44)."""
    pairs = [(k, v) for k, v in params if k != "match[version]"] + [("match[version]", "all")]
    record, _ = ctx.collection(root, collection_id, read=True)
    if record.kind == views.REVOCATIONS:
        found = tombstone_page(ctx, codec, record, pairs, "versions", object_id)
        return _tombstones(found, "versions", [t.body["modified"] for t in found.items])
    if record.kind == views.MEASURES:
        listed = _measures(ctx, codec, record, pairs, "versions", object_id)
        return _measure_result(listed, "versions", [i.body["modified"] for i in listed.items])
    page, next_token = _page(ctx, codec, root, collection_id, pairs, "versions", object_id)
    return _envelope(page, next_token, "versions", [i.version for i in page.items])


def add_objects(
    ctx: RequestContext,
    root: str,
    collection_id: str,
    envelope: Any,
    checked: Sequence[ValidObject | InputError] | None = None,
) -> dict[str, Any]:
    """Store what is valid and allowed; the status names every refusal (T33-T42)."""
    record, _ = ctx.collection(root, collection_id, write=True)
    objects = envelope_objects(envelope)
    result = publish(
        ctx.tx,
        ctx.principal,
        objects,
        views.addressing(record),
        ctx.directory,
        source=f"taxii:{record.id}",
        viewer=ctx.viewer,
        checked=checked,
    )
    return status_resource(record_status(ctx, result))


def envelope_objects(envelope: Any) -> list[Any]:
    """The objects of a TAXII envelope; InputError for anything else (a bundle included)."""
    objects = envelope.get("objects") if isinstance(envelope, dict) else None
    if not isinstance(objects, list) or envelope.get("type") == "bundle":
        raise InputError('the body must be a TAXII envelope: {"objects": [...]}', place="body")
    return objects


def delete_object(
    ctx: RequestContext, root: str, collection_id: str, object_id: str, params: Any
) -> None:
    """Delete the caller's own versions of an object it can read and write (T45, T46)."""
    record, _ = ctx.collection(root, collection_id, read=True, write=True)
    paging = parse_paging(params, default_versions="all")
    query = replace(paging.query, ids=(object_id,))
    reader = ctx.reader()
    mine: list[Served] = []
    after = 0
    while True:
        page = reader.page(query, after_seq=after, limit=1000, scope=views.scope(record))
        mine.extend(i for i in page.items if _owned(ctx, i))
        if not page.more:
            break
        after = page.last_seq
    if not mine:
        raise NotFoundError(f"object {object_id} not found")
    _revoke(ctx, object_id, mine)


def _owned(ctx: RequestContext, item: Served) -> bool:
    held = ctx.tx.intel.versions_of([item.stix_id]).get(item.stix_id, [])
    return any(v.seq == item.seq and v.audience.producer_org_id == ctx.viewer.org_id for v in held)


def _revoke(ctx: RequestContext, object_id: str, items: list[Served]) -> None:
    held = {v.seq: v for v in ctx.tx.intel.versions_of([object_id]).get(object_id, [])}
    for item in items:
        stored = held[item.seq]
        ctx.tx.intel.add_revocation(object_id, "deleted", stored.audience, stored.version)
    ctx.tx.intel.delete_versions([i.seq for i in items])
    ctx.tx.audit.append(
        AuditRecord(
            principal=ctx.principal.person_id,
            org_id=ctx.principal.org_id,
            action="intel.delete",
            object_type="stix-object",
            object_id=object_id,
            detail=" ".join(i.version for i in items),
        )
    )


def _page(
    ctx: RequestContext,
    codec: CursorCodec,
    root: str,
    collection_id: str,
    params: Iterable[tuple[str, str]],
    endpoint: str,
    object_id: str | None,
) -> tuple[Page, str | None]:
    record, _ = ctx.collection(root, collection_id, read=True)
    paging: Paging = parse_paging(params)
    query: IntelQuery = paging.query
    if object_id is not None:
        query = replace(query, ids=(object_id,))
    digest = filter_digest([*paging.filter_parts, ("@", f"{endpoint}:{record.id}:{object_id}")])
    person = ctx.principal.person_id
    after = codec.resume(paging.next_token, person, digest) if paging.next_token else 0
    page = ctx.reader().page(
        query,
        after_seq=after,
        limit=paging.limit,
        scope=views.scope(record),
        channel=views.channel(record),
    )
    if object_id is not None and not page.items and after == 0:
        _require_visible(ctx, record, object_id)
    return page, codec.issue(person, digest, page.last_seq) if page.more else None


def _require_visible(ctx: RequestContext, record: Any, object_id: str) -> None:
    """404 for an id with no version the caller may see in this view (no oracle, T43)."""
    probe = IntelQuery(ids=(object_id,), versions=frozenset({VersionSelector.ALL}))
    page = ctx.reader().page(
        probe, limit=1, scope=views.scope(record), channel=views.channel(record)
    )
    if not page.items:
        raise NotFoundError(f"object {object_id} not found")


def _envelope(page: Page, next_token: str | None, key: str, values: list[Any]) -> PageResult:
    body: dict[str, Any] = {"more": page.more}
    if next_token:
        body["next"] = next_token
    if values:
        body[key] = values
    return _result(orjson.dumps(body), page.items)


def _tombstones(found: TombstonePage, key: str, values: list[Any]) -> PageResult:
    """A page of the revocations collection (:mod:`.tombstones`)."""
    body: dict[str, Any] = {"more": found.more}
    if found.next_token:
        body["next"] = found.next_token
    if values:
        body[key] = values
    if not found.items:
        return PageResult(orjson.dumps(body))
    first, last = found.items[0].date_added, found.items[-1].date_added
    return PageResult(orjson.dumps(body), first, last)


def _measures(
    ctx: RequestContext,
    codec: CursorCodec,
    record: CollectionRecord,
    params: Iterable[tuple[str, str]],
    endpoint: str,
    object_id: str | None = None,
) -> MeasurePage:
    """A page of a member's measures collection (:mod:`.measures`)."""
    if ctx.measures is None:  # only listed when wired; kept for the type checker
        raise NotFoundError(f"collection {record.id} not found")
    person = ctx.principal.person_id
    return measures_page(ctx.measures, codec, person, record, params, endpoint, object_id)


def _measure_result(found: MeasurePage, key: str, values: list[Any]) -> PageResult:
    body: dict[str, Any] = {"more": found.more}
    if found.next_token:
        body["next"] = found.next_token
    if values:
        body[key] = values
    if not found.items:
        return PageResult(orjson.dumps(body))
    return PageResult(orjson.dumps(body), found.items[0].date_added, found.items[-1].date_added)


def _result(body: bytes, items: list[Served]) -> PageResult:
    if not items:
        return PageResult(body)
    return PageResult(body, items[0].date_added, items[-1].date_added)


def _computed_manifest(items: Sequence[Any]) -> list[dict[str, Any]]:
    """Manifest records of objects computed on read (tombstones, measures): each item
    carries its STIX body and the instant it was added."""
    return [
        {
            "id": i.body["id"],
            "date_added": i.date_added,
            "version": i.body["modified"],
            "media_type": STIX_MEDIA,
        }
        for i in items
    ]
