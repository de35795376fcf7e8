"""The overview's live feed: new alerts and incidents as server-sent events, on the session.

``GET /console/stream`` is the API's stream (``/api/v1/stream``) for a browser signed in to
the console: the same :class:`~shieldwall.live.StreamDesk`, so the same gate decides each
item for the signed-in person (a member never receives another member's alert), read
with the session cookie instead of a bearer token. The session is checked again at every
heartbeat: signing out, expiry, a suspended person or member ends the stream. Without a
``Last-Event-ID`` the stream starts at the newest; the browser's EventSource resumes from
its last id by itself. A stream lasts at most ``stream_max_seconds``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from shieldwall.live import Cursor, StreamDesk, require_stream
from shieldwall.model.errors import ShieldwallError
from shieldwall.model.identity import Principal
from shieldwall.web.guard import error_page
from shieldwall.web.session import Session, current, services

router = APIRouter(prefix="/console", include_in_schema=False)
EventId = Annotated[str | None, Header(max_length=64)]


@router.get("/stream")
async def stream(request: Request, last_event_id: EventId = None) -> Response:
    """New alerts and incidents the signed-in person may see, as server-sent events."""
    session = await run_in_threadpool(current, request)
    if session is None:  # an EventSource cannot follow a sign-in page: plainly refused
        return Response("sign-in needed", status_code=401, media_type="text/plain")
    desk = services(request).stream
    try:
        require_stream(session.principal)
        cursor = (
            Cursor.parse(last_event_id)
            if last_event_id
            else await run_in_threadpool(desk.head, session.principal)
        )
    except ShieldwallError as exc:
        return error_page(request, session, exc)

    def still_signed_in() -> bool:
        again = current(request)
        return again is not None and _same(again, session)

    return StreamingResponse(
        _events(request, desk, session.principal, cursor, still_signed_in),
        media_type="text/event-stream",
        headers={
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _same(again: Session, first: Session) -> bool:
    a, b = again.principal, first.principal
    return (a.person_id, a.org_id, a.role) == (b.person_id, b.org_id, b.role)


async def _events(
    request: Request,
    desk: StreamDesk,
    who: Principal,
    cursor: Cursor,
    still_signed_in: Callable[[], bool],
) -> AsyncIterator[bytes]:
    settings = services(request).settings
    yield f"retry: 2000\nid: {cursor.token}\n\n".encode()
    beat = started = time.monotonic()
    while time.monotonic() - started < settings.stream_max_seconds:
        try:
            events, cursor = await asyncio.to_thread(desk.next, who, cursor)
        except ShieldwallError:  # the database went away: the browser resumes from its id
            return
        for event in events:
            yield event.encode()
        if time.monotonic() - beat >= settings.stream_heartbeat_seconds:
            if not await asyncio.to_thread(still_signed_in):
                return
            beat = time.monotonic()
            yield b": heartbeat\n\n"
        if not events:
            await asyncio.sleep(settings.stream_poll_seconds)
