"""A tiny TAXII 2.1 server for client tests, served by uvicorn on 127.0.0.1 in a thread.

It serves one collection's objects with ``added_after``/``limit``/``next`` and the
``X-TAXII-Date-Added-*`` headers, accepts POSTs with per-object failures, and can be told to
misbehave (redirect elsewhere, a ``next`` link to another host, an endless body).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

MEDIA = "application/taxii+json;version=2.1"
COLLECTION = "c0ffee00-0000-4000-8000-000000000001"
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def indicator(number: int, version: int = 1) -> dict[str, Any]:
    created = EPOCH + timedelta(seconds=number)
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--00000000-0000-4000-8000-{number:012d}",
        "created": stamp(created),
        "modified": stamp(created + timedelta(days=version - 1)),
        "pattern": f"[ipv4-addr:value = '10.0.{number // 256}.{number % 256}']",
        "pattern_type": "stix",
        "valid_from": stamp(created),
    }


@dataclass
class StubState:
    """What the stub serves and what it saw."""

    objects: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    token: str | None = None
    redirect_to: str | None = None
    next_link: str | None = None
    endless_body: bool = False
    delay_seconds: float = 0.0
    omit_date_header: bool = False
    posted: list[dict[str, Any]] = field(default_factory=list)
    status_polls: int = 0
    clock: datetime = EPOCH

    def add(self, *objs: dict[str, Any]) -> None:
        """Add objects, each with a strictly later date_added."""
        for obj in objs:
            self.clock += timedelta(microseconds=1500)
            self.objects.append((stamp(self.clock), obj))


def _envelope(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), media_type=MEDIA, headers=headers)


async def _endless() -> AsyncIterator[bytes]:
    chunk = b" " * 65536
    for _ in range(100_000):
        yield chunk


def build_app(state: StubState) -> Starlette:
    def authorised(request: Request) -> bool:
        state.requests.append(request)
        state.headers_seen.append(dict(request.headers))
        return (
            state.token is None or request.headers.get("authorization") == f"Bearer {state.token}"
        )

    async def objects(request: Request) -> Response:
        if not authorised(request):
            return Response(status_code=401)
        if state.redirect_to:
            return Response(status_code=302, headers={"Location": state.redirect_to})
        if request.method == "POST":
            return _accept(state, json.loads(await request.body()))
        if state.delay_seconds:
            await asyncio.sleep(state.delay_seconds)
        if state.endless_body:
            return StreamingResponse(_endless(), media_type=MEDIA)
        return _page(state, request)

    async def status(request: Request) -> Response:
        authorised(request)
        state.status_polls += 1
        return _envelope(_status_body(state, request.path_params["sid"], complete=True))

    return Starlette(
        routes=[
            Route(f"/api1/collections/{COLLECTION}/objects/", objects, methods=["GET", "POST"]),
            Route("/api1/status/{sid}/", status),
        ]
    )


def _page(state: StubState, request: Request) -> Response:
    after = request.query_params.get("added_after")
    limit = int(request.query_params.get("limit", "100"))
    start = int(request.query_params.get("next", "0"))
    visible = [(added, obj) for added, obj in state.objects if after is None or added > after]
    page = visible[start : start + limit]
    more = start + limit < len(visible)
    body: dict[str, Any] = {"more": more, "objects": [obj for _, obj in page]}
    if more and state.next_link != "":  # "" stands for a server that sends no next token
        body["next"] = state.next_link if state.next_link else str(start + limit)
    headers = {}
    if page and not state.omit_date_header:
        headers = {"X-TAXII-Date-Added-First": page[0][0], "X-TAXII-Date-Added-Last": page[-1][0]}
    return _envelope(body, headers)


def _accept(state: StubState, envelope: dict[str, Any]) -> Response:
    state.posted.append(envelope)
    return _envelope(_status_body(state, str(len(state.posted)), complete=False), None)


def _status_body(state: StubState, sid: str, *, complete: bool) -> dict[str, Any]:
    objs = state.posted[int(sid) - 1]["objects"]
    failures = [
        {"id": o["id"], "version": o.get("modified", ""), "message": "refused by partner"}
        for o in objs
        if "bad" in o.get("name", "")
    ]
    good = [
        {"id": o["id"], "version": o.get("modified", "")}
        for o in objs
        if "bad" not in o.get("name", "")
    ]
    return {
        "id": sid,
        "status": "complete" if complete else "pending",
        "total_count": len(objs),
        "success_count": len(good) if complete else 0,
        "failure_count": len(failures) if complete else 0,
        "pending_count": 0 if complete else len(objs),
        "successes": good if complete else [],
        "failures": failures if complete else [],
    }


@dataclass
class RunningStub:
    """A stub served on 127.0.0.1; ``url`` is its origin."""

    state: StubState
    url: str


def serve(state: StubState) -> Iterator[RunningStub]:
    """Serve the stub in a thread for the duration of the generator."""
    config = uvicorn.Config(
        build_app(state), host="127.0.0.1", port=0, log_level="warning", lifespan="off", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # a guard against hanging, no time budget
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("stub TAXII server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield RunningStub(state, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
