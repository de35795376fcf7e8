"""TAXII 2.1 endpoints under ``/taxii2``: thin, each one call into ``share/taxii_server``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from shieldwall.api.taxii.auth import taxii_principal
from shieldwall.api.taxii.media import TAXII_MEDIA, check_content_type
from shieldwall.model.errors import InputError
from shieldwall.model.identity import Principal
from shieldwall.runtime.wiring import Services
from shieldwall.share.taxii_server import discovery as resources
from shieldwall.share.taxii_server import objects as ops
from shieldwall.share.taxii_server.context import request_context
from shieldwall.share.taxii_server.cursor import CursorCodec
from shieldwall.share.taxii_server.objects import PageResult

router = APIRouter()
Caller = Annotated[Principal, Depends(taxii_principal)]


@dataclass(frozen=True)
class TaxiiState:
    """Per-server settings of the TAXII surface."""

    services: Services
    codec: CursorCodec
    title: str
    max_content_length: int


def _state(request: Request) -> TaxiiState:
    found: TaxiiState = request.app.state.taxii
    return found


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type=TAXII_MEDIA)


def _page(result: PageResult) -> Response:
    headers = {}
    if result.first_added and result.last_added:
        headers["X-TAXII-Date-Added-First"] = result.first_added
        headers["X-TAXII-Date-Added-Last"] = result.last_added
    return Response(result.body, 200, headers=headers, media_type=TAXII_MEDIA)


@router.get("/")
def get_discovery(request: Request, who: Caller) -> Response:
    """Server discovery (T11)."""
    state = _state(request)
    with request_context(state.services.store, who) as ctx:
        return _json(resources.discovery(ctx, state.title))


@router.get("/{root}/")
def get_api_root(root: str, request: Request, who: Caller) -> Response:
    """API root information (T12, T13)."""
    state = _state(request)
    with request_context(state.services.store, who) as ctx:
        return _json(resources.api_root(ctx, root, state.max_content_length))


@router.get("/{root}/collections/")
def get_collections(root: str, request: Request, who: Caller) -> Response:
    """Collections this caller can read or write (T14, T15)."""
    with request_context(_state(request).services.store, who) as ctx:
        return _json(resources.collections(ctx, root))


@router.get("/{root}/collections/{collection_id}/")
def get_collection(root: str, collection_id: str, request: Request, who: Caller) -> Response:
    """One collection (T16)."""
    with request_context(_state(request).services.store, who) as ctx:
        return _json(resources.collection(ctx, root, collection_id))


@router.get("/{root}/collections/{collection_id}/objects/")
def get_objects(root: str, collection_id: str, request: Request, who: Caller) -> Response:
    """Objects of a collection, filtered and paged (T17-T32)."""
    state = _state(request)
    params = list(request.query_params.multi_items())
    with request_context(state.services.store, who) as ctx:
        return _page(ops.get_objects(ctx, state.codec, root, collection_id, params))


@router.post("/{root}/collections/{collection_id}/objects/", status_code=202)
async def post_objects(root: str, collection_id: str, request: Request, who: Caller) -> Response:
    """Add objects; 202 with a status (T33-T42)."""
    check_content_type(request.headers.get("content-type"))
    try:
        envelope = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise InputError("the body is not JSON", place="body") from exc
    state = _state(request)

    def add() -> dict[str, Any]:
        with request_context(state.services.store, who) as ctx:
            return ops.add_objects(ctx, root, collection_id, envelope)

    return _json(await run_in_threadpool(add), 202)


@router.get("/{root}/collections/{collection_id}/objects/{object_id}/")
def get_object(
    root: str, collection_id: str, object_id: str, request: Request, who: Caller
) -> Response:
    """One object's versions in a collection (T43)."""
    state = _state(request)
    params = list(request.query_params.multi_items())
    with request_context(state.services.store, who) as ctx:
        return _page(ops.get_objects(ctx, state.codec, root, collection_id, params, object_id))


@router.delete("/{root}/collections/{collection_id}/objects/{object_id}/")
def delete_object(
    root: str, collection_id: str, object_id: str, request: Request, who: Caller
) -> Response:
    """Delete the caller's own versions of an object (T45, T46)."""
    params = list(request.query_params.multi_items())
    with request_context(_state(request).services.store, who) as ctx:
        ops.delete_object(ctx, root, collection_id, object_id, params)
    return Response(b"", 200, media_type=TAXII_MEDIA)


@router.get("/{root}/collections/{collection_id}/objects/{object_id}/versions/")
def get_versions(
    root: str, collection_id: str, object_id: str, request: Request, who: Caller
) -> Response:
    """Versions of one object (T44)."""
    state = _state(request)
    params = list(request.query_params.multi_items())
    with request_context(state.services.store, who) as ctx:
        return _page(ops.get_versions(ctx, state.codec, root, collection_id, object_id, params))


@router.get("/{root}/collections/{collection_id}/manifest/")
def get_manifest(root: str, collection_id: str, request: Request, who: Caller) -> Response:
    """Manifest of a collection (T23)."""
    state = _state(request)
    params = list(request.query_params.multi_items())
    with request_context(state.services.store, who) as ctx:
        return _page(ops.get_manifest(ctx, state.codec, root, collection_id, params))


@router.get("/{root}/status/{status_id}/")
def get_status(root: str, status_id: str, request: Request, who: Caller) -> Response:
    """Status of an add-objects request (T41, T42)."""
    with request_context(_state(request).services.store, who) as ctx:
        return _json(resources.status(ctx, root, status_id))
