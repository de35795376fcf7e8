"""The live stream over server-sent events: new alerts and incidents, each through the gate.

``GET /api/v1/stream`` answers ``text/event-stream``: an ``alert`` or ``incident`` event
for each new one the caller may see, each with an id to resume from (``Last-Event-ID``,
or ``?last_event_id=``), and a comment every ``stream_heartbeat_seconds`` so proxies and
clients know the stream is alive. Without an id the stream starts at the newest. The
caller's token is checked again at every heartbeat: a revoked token, a suspended member
or a removed person ends the stream. A stream lasts at most ``stream_max_seconds`` (600):
an EventSource reconnects by itself with its last id, and a server shutting down never
waits on a stream for long. The feed is the store (:mod:`shieldwall.live.stream`),
so any replica serves any stream.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from shieldwall import access
from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.live import Cursor, StreamDesk, require_stream
from shieldwall.model.errors import ShieldwallError
from shieldwall.model.identity import Principal
from shieldwall.runtime import Services

router = APIRouter(prefix="/api/v1", tags=["live"])
EventId = Annotated[str | None, Header(max_length=64)]


@router.get("/stream")
async def stream(
    request: Request,
    svc: ServicesDep,
    who: PrincipalDep,
    last_event_id: EventId = None,
    resume: Annotated[str | None, Query(alias="last_event_id", max_length=64)] = None,
) -> StreamingResponse:
    """New alerts and incidents the caller may see, as server-sent events."""
    require_stream(who)
    desk = svc.stream
    given = last_event_id or resume
    cursor = Cursor.parse(given) if given else await asyncio.to_thread(desk.head, who)
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    return StreamingResponse(
        _events(svc, desk, who, cursor, token),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(
    svc: Services, desk: StreamDesk, who: Principal, cursor: Cursor, token: str
) -> AsyncIterator[bytes]:
    settings = svc.settings
    yield f"retry: 2000\nid: {cursor.token}\n\n".encode()
    beat = started = time.monotonic()
    while time.monotonic() - started < settings.stream_max_seconds:
        try:
            events, cursor = await asyncio.to_thread(desk.next, who, cursor)
        except ShieldwallError:  # the database went away: the client resumes from its id
            return
        for event in events:
            yield event.encode()
        if time.monotonic() - beat >= settings.stream_heartbeat_seconds:
            if not await asyncio.to_thread(_still_allowed, svc, who, token):
                return
            beat = time.monotonic()
            yield b": heartbeat\n\n"
        if not events:
            await asyncio.sleep(settings.stream_poll_seconds)


def _still_allowed(svc: Services, who: Principal, token: str) -> bool:
    """Whether the token still stands for the same principal (not revoked nor suspended)."""
    try:
        again = access.authenticate(svc.store, token)
    except ShieldwallError:
        return False
    return (again.person_id, again.org_id, again.role) == (who.person_id, who.org_id, who.role)
