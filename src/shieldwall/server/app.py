"""One ASGI application of the two HTTP front ends: the API and the web pages."""

from __future__ import annotations

from fastapi import FastAPI

from shieldwall import api, web
from shieldwall.runtime import Services


def create_app(services: Services) -> FastAPI:
    """The API with the web pages mounted beside it (the caller owns the services)."""
    app = api.create_app(services, refusals=(web.too_large_page,))
    app.include_router(web.router)
    return app
