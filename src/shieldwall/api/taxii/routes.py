"""TAXII 2.1 endpoints under ``/taxii2``: thin, each one call to :class:`share.TaxiiServer`."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from shieldwall import share
from shieldwall.api.taxii.auth import taxii_principal
from shieldwall.api.taxii.media import TAXII_MEDIA, check_content_type
from shieldwall.model.errors import InputError
from shieldwall.model.identity import Principal

router = APIRouter()
Caller = Annotated[Principal, Depends(taxii_principal)]


def _server(request: Request) -> share.TaxiiServer:
    found: share.TaxiiServer = request.app.state.taxii
    return found


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type=TAXII_MEDIA)


def _page(result: share.TaxiiPage) -> Response:
    headers = {}
    if result.first_added and result.last_added:
        headers["X-TAXII-Date-Added-First"] = result.first_added
        headers["X-TAXII-Date-Added-Last"] = result.last_added
    return Response(result.body, 200, headers=headers, media_type=TAXII_MEDIA)


@router.get("/")
def get_discovery(request: Request, who: Caller) -> Response:
    """Server discovery (T11)."""
    return _json(_server(request).discovery(who))


@router.get("/{root}/")
def get_api_root(root: str, request: Request, who: Caller) -> Response:
    """API root information (T12, T13)."""
    return _json(_server(request).api_root(who, root))


@router.get("/{root}/collections/")
def get_collections(root: str, request: Request, who: Caller) -> Response:
    """Collections this caller can read or write (T14, T15)."""
    return _json(_server(request).collections(who, root))


@router.get("/{root}/collections/{collection_id}/")
def get_collection(root: str, collection_id: str, request: Request, who: Caller) -> Response:
    """One collection (T16)."""
    return _json(_server(request).collection(who, root, collection_id))


@router.get("/{root}/collections/{collection_id}/objects/")
def get_objects(root: str, collection_id: str, request: Request, who: Caller) -> Response:
    """Objects of a collection, filtered and paged (T17-T32)."""
    params = list(request.query_params.multi_items())
    return _page(_server(request).objects(who, root, collection_id, params))


@router.post("/{root}/collections/{collection_id}/objects/", status_code=202)
async def post_objects(root: str, collection_id: str, request: Request, who: Caller) -> Response:
    """Add objects; 202 with a status (T33-T42)."""
    check_content_type(request.headers.get("content-type"))
    try:
        envelope = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise InputError("the body is not JSON", place="body") from exc
    server = _server(request)

    def add() -> dict[str, Any]:
        return server.add_objects(who, root, collection_id, envelope)

    return _json(await run_in_threadpool(add), 202)


@router.get("/{root}/collections/{collection_id}/objects/{object_id}/")
def get_object(
    root: str, collection_id: str, object_id: str, request: Request, who: Caller
) -> Response:
    """One object's versions in a collection (T43)."""
    params = list(request.query_params.multi_items())
    return _page(_server(request).objects(who, root, collection_id, params, object_id))


@router.delete("/{root}/collections/{collection_id}/objects/{object_id}/")
def delete_object(
    root: str, collection_id: str, object_id: str, request: Request, who: Caller
) -> Response:
    """Delete the caller's own versions of an object (T45, T46)."""
    params = list(request.query_params.multi_items())
    _server(request).delete_object(who, root, collection_id, object_id, params)
    return Response(b"", 200, media_type=TAXII_MEDIA)


@router.get("/{root}/collections/{collection_id}/objects/{object_id}/versions/")
def get_versions(
    root: str, collection_id: str, object_id: str, request: Request, who: Caller
) -> Response:
    """Versions of one object (T44)."""
    params = list(request.query_params.multi_items())
    return _page(_server(request).versions(who, root, collection_id, object_id, params))


@router.get("/{root}/collections/{collection_id}/manifest/")
def get_manifest(root: str, collection_id: str, request: Request, who: Caller) -> Response:
    """Manifest of a collection (T23)."""
    params = list(request.query_params.multi_items())
    return _page(_server(request).manifest(who, root, collection_id, params))


@router.get("/{root}/status/{status_id}/")
def get_status(root: str, status_id: str, request: Request, who: Caller) -> Response:
    """Status of an add-objects request (T41, T42)."""
    return _json(_server(request).status(who, root, status_id))
