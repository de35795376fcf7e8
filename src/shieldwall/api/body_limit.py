"""Refuse oversize request bodies before reading them (413), as pure ASGI middleware.

A declared Content-Length over the limit is refused at once; a chunked body is counted as it
arrives: as soon as it crosses the limit the client gets 413 and the application sees the
client disconnect, so it stops reading and writes nothing. The ``ClientDisconnect`` that
the application raises then (and whenever a client really goes away mid-body) ends here:
the client is gone or already answered, and it is not a server error to log with a
traceback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_log = logging.getLogger(__name__)

Refusal = Callable[[Scope, int], tuple[bytes, bytes] | None]
"""Given the request and the limit, a (media type, body) for the 413 — or None to let the
default problem document answer. Sub-applications with their own error format (TAXII) plug
in here instead of guarding the size a second time."""


def client_gone(request: Request, _exc: Exception) -> Response:
    """The handler for ``ClientDisconnect``: the client will read no answer; none is logged
    as an error. (The 400 only closes the exchange for the framework.)"""
    _log.info("client went away while sending %s %s", request.method, request.url.path)
    return Response(status_code=400)


def problem_refusal(_scope: Scope, limit: int) -> tuple[bytes, bytes]:
    """The RFC 9457 problem document for an oversize body."""
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"request bodies are limited to {limit} bytes",
            "limit": "max_body_bytes",
        }
    ).encode()
    return b"application/problem+json", body


class BodyLimitMiddleware:
    """ASGI middleware enforcing a maximum request body size."""

    def __init__(self, app: ASGIApp, max_bytes: int, refusals: tuple[Refusal, ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.refusals = refusals

    async def _refuse(self, scope: Scope, send: Send) -> None:
        media, body = problem_refusal(scope, self.max_bytes)
        for refusal in self.refusals:
            answer = refusal(scope, self.max_bytes)
            if answer is not None:
                media, body = answer
                break
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", media),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send)
            return
        state = {"seen": 0, "started": False, "refused": False}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request" and not state["refused"]:
                state["seen"] += len(message.get("body", b""))
                if state["seen"] > self.max_bytes:
                    state["refused"] = True
                    if not state["started"]:
                        state["started"] = True
                        await self._refuse(scope, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                if state["started"]:
                    return
                state["started"] = True
            elif state["refused"]:
                return
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except ClientDisconnect:
            _log.info("client went away while sending %s %s", scope["method"], scope["path"])


def _content_length(scope: Scope) -> int | None:
    headers: Any = scope.get("headers", [])
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
