"""TAXII error messages for every failure (T7, T47): ``title`` and a string ``http_status``.

Like the rest of the API, a body never carries a stack trace or anything about objects the
caller may not see: a hidden resource is "not found", exactly like an absent one.
"""

from __future__ import annotations

import logging

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from shieldwall.api.body_limit import client_gone
from shieldwall.api.taxii.media import TAXII_MEDIA, NotAcceptable, UnsupportedMediaType
from shieldwall.model import errors

log = logging.getLogger(__name__)
CHALLENGE = 'Basic realm="shieldwall-taxii", Bearer realm="shieldwall-taxii"'

_STATUS: list[tuple[type[Exception], int, str]] = [
    (errors.AuthenticationError, 401, "Unauthorized"),
    (errors.PermissionDeniedError, 403, "Forbidden"),
    (errors.NotFoundError, 404, "Not Found"),
    (NotAcceptable, 406, "Not Acceptable"),
    (errors.ConflictError, 409, "Conflict"),
    (UnsupportedMediaType, 415, "Unsupported Media Type"),
    (errors.InputError, 400, "Bad Request"),
    (errors.ConfigError, 400, "Bad Request"),
    (errors.StoreError, 503, "Service Unavailable"),
]
_DESCRIPTIONS = {
    401: "credentials are required: HTTP Basic (password = API token) or a bearer token",
    404: "not found",
    406: "send Accept: application/taxii+json;version=2.1",
    415: "send Content-Type: application/taxii+json;version=2.1",
    503: "a backing service is unavailable; try again",
}


def taxii_error(status: int, title: str, description: str) -> Response:
    """An error message response in TAXII form."""
    body = {"title": title, "description": description, "http_status": str(status)}
    headers = {"WWW-Authenticate": CHALLENGE} if status == 401 else None
    return Response(orjson.dumps(body), status, headers=headers, media_type=TAXII_MEDIA)


def _known(request: Request, exc: Exception) -> Response:
    for cls, status, title in _STATUS:
        if isinstance(exc, cls):
            return taxii_error(status, title, _DESCRIPTIONS.get(status, str(exc)))
    return _unexpected(request, exc)


def _http(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return taxii_error(exc.status_code, str(exc.detail), str(exc.detail))


def _validation(_request: Request, exc: Exception) -> Response:
    return taxii_error(400, "Bad Request", "the request is malformed")


def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return taxii_error(500, "Internal Server Error", "the server failed; the error was logged")


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a TAXII error message."""
    for cls in (errors.ShieldwallError, NotAcceptable, UnsupportedMediaType):
        app.add_exception_handler(cls, _known)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(ClientDisconnect, client_gone)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Exception, _unexpected)
