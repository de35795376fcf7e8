"""Signing in and out of the console, with the API's argon2 login and its throttle."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from shieldwall import access
from shieldwall.model.errors import AuthenticationError, InputError, RateLimitedError
from shieldwall.web.guard import posted, read_form
from shieldwall.web.render import page
from shieldwall.web.session import (
    COOKIE,
    MAX_AGE,
    SIGNIN_COOKIE,
    Session,
    clear_cookie,
    csrf_matches,
    current,
    new_signin_token,
    services,
    set_cookie,
)

router = APIRouter(prefix="/console", include_in_schema=False)


def _safe_next(target: str) -> str:
    """Only a path of the console: never another site (no open redirect)."""
    if target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console"


def _form(request: Request, target: str, message: str = "", status: int = 200) -> Response:
    token = new_signin_token()
    ctx = {
        "title": "Sign in",
        "next": _safe_next(target),
        "message": message,
        "signin_token": token,
    }
    response = page(request, "signin.html", None, ctx, status=status)
    set_cookie(request, response, SIGNIN_COOKIE, token, 600)
    return response


@router.get("/signin")
def signin_form(request: Request, next: str = "/console") -> Response:
    """The sign-in form (a signed-in person goes straight on)."""
    if current(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _form(request, next)


@router.post("/signin")
async def signin(request: Request) -> Response:
    """Check e-mail and password through the throttle; open a session on success."""
    try:
        form = await read_form(request)
    except InputError:
        return _form(request, "/console", "The form is too large.", 422)
    target = form.get("next", "/console")
    if not csrf_matches(request.cookies.get(SIGNIN_COOKIE, ""), form.get("csrf", "")):
        return _form(request, target, "The form expired; please sign in again.", 403)
    svc = services(request)
    address = request.client.host if request.client else None
    email, password = form.get("email", "")[:320], form.get("password", "")[:1024]
    try:
        issued = await run_in_threadpool(
            access.throttled_login, svc.store, svc.login_throttle, email, password, address
        )
    except RateLimitedError as exc:
        response = _form(request, target, "Too many failed attempts; try again later.", 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except (AuthenticationError, InputError):
        return _form(request, target, "Unknown e-mail or wrong password.", 401)
    response = RedirectResponse(_safe_next(target), status_code=303)
    set_cookie(request, response, COOKIE, issued.secret, MAX_AGE)
    clear_cookie(request, response, SIGNIN_COOKIE)
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    """Revoke the session's token and forget the cookie."""

    def act(session: Session, _form: dict[str, str]) -> Response:
        if session.principal.token_id:
            access.revoke_token(
                services(request).store, session.principal, session.principal.token_id
            )
        response = RedirectResponse("/console/signin", status_code=303)
        clear_cookie(request, response, COOKIE)
        return response

    return await posted(request, act)
