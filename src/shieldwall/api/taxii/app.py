"""The TAXII sub-application (mounted at ``/taxii2``) and its request-size guard."""

from __future__ import annotations

import orjson
from fastapi import FastAPI
from starlette.types import Scope

from shieldwall import share
from shieldwall.api.taxii import errors
from shieldwall.api.taxii.media import TAXII_MEDIA
from shieldwall.api.taxii.routes import router
from shieldwall.runtime import Services
from shieldwall.runtime.measure_feed import DeskMeasureFeed

PREFIX = "/taxii2"


def create_taxii_app(services: Services) -> FastAPI:
    """The TAXII 2.1 server over the services' store."""
    app = FastAPI(title="Shieldwall TAXII 2.1", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.services = services
    app.state.taxii = share.TaxiiServer(
        store=services.store,
        codec=share.cursor_codec(services.settings.data_dir),
        title="Shieldwall",
        max_content_length=services.settings.max_body_bytes,
        validation=services.validation,
        measures=DeskMeasureFeed(services.measures),
    )
    errors.install(app)
    app.include_router(router)
    return app


def taxii_refusal(scope: Scope, limit: int) -> tuple[bytes, bytes] | None:
    """The 413 in TAXII's error format for requests under ``/taxii2`` (T34)."""
    if not str(scope.get("path", "")).startswith(PREFIX):
        return None
    body = orjson.dumps(
        {
            "title": "Content Too Large",
            "description": f"requests are limited to {limit} bytes (max_content_length)",
            "http_status": "413",
        }
    )
    return TAXII_MEDIA.encode(), body
