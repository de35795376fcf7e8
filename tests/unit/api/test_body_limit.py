"""A body cut short never becomes a server error: every endpoint that takes a body, fed
through the ASGI interface itself, as a chunked body over the limit (answered 413) and as
a client that goes away mid-body (nothing to answer). No exception leaves the application,
so the server has no traceback to log (issue 9, low: ``ClientDisconnect``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.types import Message

from tests.unit.api.conftest import World, build_world
from tests.unit.api.test_never_5xx import ENDPOINTS, PARAM

BODY_ENDPOINTS = [(m, p) for m, p, _ in ENDPOINTS if m in ("POST", "PUT", "PATCH")]
CHUNK = b"a" * 8192
READ_BODIES = {"/api/v1/organisations", "/taxii2/{root}/collections/{collection_id}/objects/"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(tmp_path_factory.mktemp("body-limit"))
    yield built
    built.services.close()


def _call(
    world: World, method: str, path: str, chunks: list[bytes], then_gone: bool
) -> list[Message]:
    """Run one request through the application; return what it sent."""
    token = world.tokens["alpha-lead"]
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            *_media(path),
            (b"transfer-encoding", b"chunked"),
            (b"authorization", f"Bearer {token}".encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    incoming: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": True} for chunk in chunks
    ]
    if then_gone:
        incoming.append({"type": "http.disconnect"})
    else:
        incoming.append({"type": "http.request", "body": b"", "more_body": False})
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(world.client.app(scope, receive, send))  # raises if anything escapes
    return sent


def _media(path: str) -> list[tuple[bytes, bytes]]:
    media = (
        b"application/taxii+json;version=2.1" if path.startswith("/taxii2") else b"application/json"
    )
    return [(b"content-type", media), (b"accept", media)]


def _path(template: str) -> str:
    return PARAM.sub(lambda m: "intel" if m.group(1) == "root" else "x", template)


@pytest.mark.parametrize(
    ("method", "template"), BODY_ENDPOINTS, ids=[f"{m} {p}" for m, p in BODY_ENDPOINTS]
)
def test_a_chunked_body_over_the_limit_is_a_413_and_nothing_escapes(
    world: World, method: str, template: str
) -> None:
    """One answer, never 5xx: 413 where the body is read, else the refusal that comes first."""
    sent = _call(world, method, _path(template), [CHUNK] * 10, then_gone=False)
    starts = [m["status"] for m in sent if m["type"] == "http.response.start"]
    assert len(starts) == 1 and starts[0] < 500
    if template in READ_BODIES:
        assert starts == [413]


@pytest.mark.parametrize(
    ("method", "template"), BODY_ENDPOINTS, ids=[f"{m} {p}" for m, p in BODY_ENDPOINTS]
)
def test_a_client_gone_mid_body_leaves_nothing_escaping(
    world: World, method: str, template: str
) -> None:
    sent = _call(world, method, _path(template), [b'{"objects": ['], then_gone=True)
    assert all(m.get("status", 0) < 500 for m in sent if m["type"] == "http.response.start")


def test_there_are_endpoints_with_bodies_to_check() -> None:
    assert len(BODY_ENDPOINTS) >= 5
    assert {p for _, p in BODY_ENDPOINTS} >= READ_BODIES
    assert any(p.startswith("/taxii2") for _, p in BODY_ENDPOINTS)
