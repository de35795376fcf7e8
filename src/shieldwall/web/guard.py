"""Every console request passes here: signed in or sent to sign in, CSRF checked, errors shown.

A page is built by a plain function of the session; this module turns the project's errors
into a page with the API's status codes (a hidden object is "not found", exactly like an
absent one) and never shows a stack trace.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import parse_qs, quote

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from shieldwall.model import errors
from shieldwall.web.render import page
from shieldwall.web.session import Session, csrf_matches, current

log = logging.getLogger(__name__)

STATUS_OF: tuple[tuple[type[errors.ShieldwallError], int, str], ...] = (
    (errors.AuthenticationError, 401, "Sign-in needed"),
    (errors.RateLimitedError, 429, "Too many attempts"),
    (errors.PermissionDeniedError, 403, "Not allowed"),
    (errors.NotFoundError, 404, "Not found"),
    (errors.ConflictError, 409, "Conflict"),
    (errors.InputError, 422, "Cannot do that"),
    (errors.ConfigError, 422, "Cannot do that"),
    (errors.StoreError, 503, "Unavailable"),
    (errors.BusError, 503, "Unavailable"),
)
MAX_FORM_BYTES = 64 * 1024
Form = dict[str, str]


def error_page(request: Request, session: Session | None, exc: Exception) -> HTMLResponse:
    """The page for an error: its status and a message that reveals nothing hidden."""
    for cls, status, title in STATUS_OF:
        if isinstance(exc, cls):
            detail = str(exc)
            if status == 404:
                detail = "not found"
            elif status == 503:
                detail = "a backing service is unavailable; try again"
            ctx = {"title": title, "detail": detail, "status": status}
            return page(request, "error.html", session, ctx, status=status)
    log.error("console error on %s", request.url.path, exc_info=exc)
    ctx = {"title": "Server error", "detail": "the error was logged", "status": 500}
    return page(request, "error.html", session, ctx, status=500)


def to_signin(request: Request) -> RedirectResponse:
    """Send the browser to sign in, back to this page afterwards."""
    return RedirectResponse(f"/console/signin?next={quote(request.url.path)}", status_code=303)


def guarded(request: Request, build: Callable[[Session], Response]) -> Response:
    """Build a page for the signed-in person, or send them to sign in."""
    session = current(request)
    if session is None:
        return to_signin(request)
    try:
        return build(session)
    except errors.ShieldwallError as exc:
        return error_page(request, session, exc)


async def read_form(request: Request) -> Form:
    """A url-encoded form, first value of each field; too large → an InputError."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise errors.InputError("the form is too large", place="body")
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


async def posted(request: Request, act: Callable[[Session, Form], Response]) -> Response:
    """Run a form's action for the signed-in person, after checking its CSRF token."""
    started = time.perf_counter()
    session = await run_in_threadpool(current, request)
    if session is None:
        return to_signin(request)
    try:
        form = await read_form(request)
    except errors.InputError as exc:
        return error_page(request, session, exc)
    if not csrf_matches(session.csrf, form.get("csrf", "")):
        ctx = {
            "title": "Refused",
            "detail": "the form's CSRF token is missing or wrong",
            "status": 403,
        }
        return page(request, "error.html", session, ctx, status=403, started=started)
    try:
        return await run_in_threadpool(act, session, form)
    except errors.ShieldwallError as exc:
        return error_page(request, session, exc)
