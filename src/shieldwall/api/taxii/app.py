"""The TAXII sub-application (mounted at ``/taxii2``) and its request-size guard."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from shieldwall.api.taxii import errors
from shieldwall.api.taxii.media import TAXII_MEDIA
from shieldwall.api.taxii.routes import TaxiiState, router
from shieldwall.runtime.wiring import Services
from shieldwall.share.taxii_server.cursor import CursorCodec, load_or_create_key

PREFIX = "/taxii2"


def create_taxii_app(services: Services) -> FastAPI:
    """The TAXII 2.1 server over the services' store."""
    app = FastAPI(title="Shieldwall TAXII 2.1", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.services = services
    app.state.taxii = TaxiiState(
        services=services,
        codec=CursorCodec(load_or_create_key(services.settings.data_dir)),
        title="Shieldwall",
        max_content_length=services.settings.max_body_bytes,
    )
    errors.install(app)
    app.include_router(router)
    return app


class TaxiiContentLengthGuard:
    """413 in TAXII form for a declared Content-Length over the limit, before reading (T34).

    Installed outermost, so TAXII callers get a TAXII error message; bodies without a
    Content-Length are still counted and cut by the API's own body limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(PREFIX):
            declared = _content_length(scope)
            if declared is not None and declared > self.max_bytes:
                await _refuse(send, self.max_bytes)
                return
        await self.app(scope, receive, send)


async def _refuse(send: Send, limit: int) -> None:
    body = orjson.dumps(
        {
            "title": "Content Too Large",
            "description": f"requests are limited to {limit} bytes (max_content_length)",
            "http_status": "413",
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", TAXII_MEDIA.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    headers: Any = scope.get("headers", [])
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
