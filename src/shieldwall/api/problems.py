"""RFC 9457 problem documents for every error the API returns.

The body says what was wrong with the request in terms the caller can act on; it never
carries a stack trace, SQL, or anything about objects the caller may not see (a hidden
object is "not found", exactly like an absent one).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse

from shieldwall.api.body_limit import client_gone
from shieldwall.model import errors

PROBLEM_TYPE = "application/problem+json"
log = logging.getLogger(__name__)

STATUS_OF: list[tuple[type[errors.ShieldwallError], int, str]] = [
    (errors.AuthenticationError, 401, "Unauthorized"),
    (errors.RateLimitedError, 429, "Too Many Requests"),
    (errors.PermissionDeniedError, 403, "Forbidden"),
    (errors.NotFoundError, 404, "Not Found"),
    (errors.ConflictError, 409, "Conflict"),
    (errors.LimitExceededError, 413, "Content Too Large"),
    (errors.InputError, 422, "Unprocessable Content"),
    (errors.ConfigError, 422, "Unprocessable Content"),
    (errors.StoreError, 503, "Service Unavailable"),
    (errors.BusError, 503, "Service Unavailable"),
]


def problem(
    status: int,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem document response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def _shieldwall_error(_request: Request, exc: Exception) -> JSONResponse:
    for cls, status, title in STATUS_OF:
        if isinstance(exc, cls):
            detail = "not found" if status == 404 else str(exc)
            if status == 503:
                detail = "a backing service is unavailable; try again"
            extra: dict[str, Any] = {**_limit(exc), **_rule_problems(exc)}
            if isinstance(exc, errors.RateLimitedError):
                retry = {"Retry-After": str(exc.retry_after)}
                return problem(status, title, detail, retry, retry_after=exc.retry_after, **extra)
            return problem(status, title, detail, None, **extra)
    return _unexpected(_request, exc)


def _limit(exc: Exception) -> dict[str, str]:
    """The name of the limit a refusal reached, as a member of the problem document."""
    name = getattr(exc, "limit", "") if isinstance(exc, errors.ShieldwallError) else ""
    return {"limit": name} if isinstance(name, str) and name else {}


def _rule_problems(exc: Exception) -> dict[str, Any]:
    """Every load error of a refused rule text, as ``errors`` of the problem document."""
    if not isinstance(exc, errors.RuleSetError):
        return {}
    listed = [
        {"source": p.source, "rule": p.rule_id, "message": p.reason} for p in exc.problems[:200]
    ]
    return {"errors": listed}


def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = [
        {
            "location": ".".join(str(part) for part in error.get("loc", ())),
            "message": error.get("msg", "invalid"),
        }
        for error in exc.errors()
    ]
    first = issues[0] if issues else {"location": "body", "message": "invalid"}
    detail = f"{first['location']}: {first['message']}"
    return problem(422, "Unprocessable Content", detail, errors=issues)


def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return problem(exc.status_code, str(exc.detail), str(exc.detail))


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "Internal Server Error", "the server failed; the error was logged")


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem document."""
    app.add_exception_handler(errors.ShieldwallError, _shieldwall_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(ClientDisconnect, client_gone)
    app.add_exception_handler(Exception, _unexpected)
