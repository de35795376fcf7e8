"""The console's own style sheet and script, served from the package (no CDN, no fonts)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response

from shieldwall.model.errors import NotFoundError

router = APIRouter(prefix="/console/static", include_in_schema=False)

TYPES = {
    "console.css": "text/css; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
    "live.js": "text/javascript; charset=utf-8",
}
FILES = {name: resources.files(__package__).joinpath("static", name).read_bytes() for name in TYPES}
"""Read once at start: a fixed set of names, so no path from a request reaches the disk."""


@router.get("/{name}")
def static_file(name: str) -> Response:
    """One of the console's files, cached for an hour."""
    body = FILES.get(name)
    if body is None:
        raise NotFoundError("not found")
    headers = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}
    return Response(body, media_type=TYPES[name], headers=headers)
