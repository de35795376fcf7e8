"""The API as an ASGI application: routes, TAXII, problem documents, body limit, metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from shieldwall import __version__
from shieldwall.api import problems
from shieldwall.api.body_limit import BodyLimitMiddleware, Refusal
from shieldwall.api.metrics import ApiMetrics
from shieldwall.api.routes import (
    assist,
    audit,
    cases,
    communities,
    health,
    incidents,
    intel,
    live,
    measures,
    notify,
    organisations,
    playbooks,
    posture,
    reports,
    rules,
    stream,
    tokens,
)
from shieldwall.api.taxii.app import PREFIX as TAXII_PREFIX
from shieldwall.api.taxii.app import create_taxii_app, taxii_refusal
from shieldwall.runtime import Services

ROUTERS = (
    health.router,
    organisations.router,
    tokens.router,
    audit.router,
    intel.router,
    communities.router,
    live.router,
    incidents.router,
    posture.router,
    stream.router,
    reports.router,
    measures.router,
    cases.router,
    rules.router,
    notify.router,
    assist.router,
    playbooks.router,
)
"""Every REST router, in the order they are mounted (the fuzz suite reads them too)."""


def create_app(services: Services, refusals: tuple[Refusal, ...] = ()) -> FastAPI:
    """Build the API over ready services (the caller owns their lifetime); ``refusals``
    give other front ends mounted beside it their own 413 (the console's page)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if services.buses is not None:  # the bus this loop opened for ingest
            await services.buses.close_current()

    app = FastAPI(
        title="Shieldwall",
        version=__version__,
        description="An open, integrated cyber defence centre.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = services
    problems.install(app)
    ApiMetrics().install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount(TAXII_PREFIX, create_taxii_app(services))
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=services.settings.max_body_bytes,
        refusals=(taxii_refusal, *refusals),
    )
    return app
