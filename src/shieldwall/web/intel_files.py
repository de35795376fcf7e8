"""Intelligence files: upload a STIX 2.1 bundle or MISP event, download what one may see.

Both go through the intelligence desk, as the API's reads and writes do: an upload is
published by :meth:`share.IntelDesk.import_file` as the signed-in person (the permission
table, then each object's own checks, with every refusal and its reason on the result page;
a file that cannot be read is refused whole, naming the file and the place, and nothing is
stored); a download is :meth:`share.IntelDesk.export_file`, the gate asked for this person
and the file-export channel's maximum (up to TLP:AMBER+STRICT, no unmarked object).
Files are bounded by the API's ``max_body_bytes``.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from shieldwall import share
from shieldwall.access import permits
from shieldwall.model.errors import InputError, PermissionDeniedError, ShieldwallError
from shieldwall.web import reads
from shieldwall.web.guard import error_page, guarded, to_signin
from shieldwall.web.intel_filters import search_filters
from shieldwall.web.render import page
from shieldwall.web.session import Session, csrf_matches, current, services
from shieldwall.web.upload import TooLargeError, UploadForm, read_upload

router = APIRouter(prefix="/console/intel", include_in_schema=False)
FORMATS = {"stix": ("stix", "application/json"), "misp": ("misp", "application/json")}
PUBLISH = "intel.publish"


def _form_context(request: Request) -> dict[str, Any]:
    return {"title": "Import intelligence", "limit": services(request).settings.max_body_bytes}


@router.get("/import")
def import_form(request: Request) -> Response:
    """The upload form, for those who may publish intelligence (others: 403)."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        _require_publish(session)
        return page(request, "intel_import.html", session, _form_context(request), started=started)

    return guarded(request, build)


@router.post("/import")
async def import_upload(request: Request) -> Response:
    """Publish the uploaded file as received by the person's organisation; the result page."""
    started = time.perf_counter()
    session = await run_in_threadpool(current, request)
    if session is None:
        return to_signin(request)
    limit = services(request).settings.max_body_bytes
    try:
        form = await read_upload(request, limit)
    except TooLargeError as exc:
        ctx = {"title": "Too large", "detail": str(exc), "status": 413}
        return page(request, "error.html", session, ctx, status=413, started=started)
    except InputError as exc:
        return error_page(request, session, exc)
    if not csrf_matches(session.csrf, form.fields.get("csrf", "")):
        ctx = {"title": "Refused", "detail": "the form's CSRF token is missing or wrong"}
        return page(request, "error.html", session, {**ctx, "status": 403}, status=403)
    try:
        return await run_in_threadpool(_publish, request, session, form, started)
    except ShieldwallError as exc:
        return error_page(request, session, exc)


def _publish(request: Request, session: Session, form: UploadForm, started: float) -> Response:
    _require_publish(session)
    if not form.file_name and not form.file_data:
        raise InputError("choose a STIX bundle or MISP event file", place="file")
    addressing = share.Addressing(
        recipient_org_ids=frozenset(_ids(form.fields.get("to", ""))),
        community_ids=frozenset(_ids(form.fields.get("community", ""))),
    )
    upload = share.Upload(
        name=form.file_name or "upload",
        data=form.file_data,
        max_bytes=services(request).settings.max_body_bytes,
        addressing=addressing,
        misp_community=form.fields.get("misp_community", "").strip()[:64] or None,
    )
    outcomes = reads.intel_desk(services(request)).import_file(session.principal, upload)
    ctx = {
        **_form_context(request),
        "title": "Import result",
        "file_name": upload.name,
        "outcomes": outcomes,
        "stored": sum(o.stored for o in outcomes),
        "refused": sum(len(o.refusals) for o in outcomes),
    }
    return page(request, "intel_import.html", session, ctx, started=started)


def _ids(text: str) -> list[str]:
    """Organisation or community ids typed with commas or spaces (at most 32)."""
    return [part[:64] for part in text.replace(",", " ").split()][:32]


def _require_publish(session: Session) -> None:
    if not permits(session.principal, PUBLISH):
        raise PermissionDeniedError(f"the {session.principal.role} role may not {PUBLISH}")


@router.get("/export")
def export(
    request: Request, format: str = "stix", kind: str = "indicator", q: str = "", tlp: str = ""
) -> Response:
    """Download what the person may receive now, with the page's filters."""
    if format not in FORMATS:
        format = "stix"

    def build(session: Session) -> Response:
        desk = reads.intel_desk(services(request))
        chosen = share.ExportFormat(FORMATS[format][0])
        made = desk.export_file(session.principal, search_filters(kind, q, tlp), chosen)
        name = f"shieldwall-intel-{session.principal.org_id}.{format}.json"
        headers = {
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Shieldwall-Objects": str(made.count),
            "X-Shieldwall-Capped": "true" if made.capped else "false",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        }
        return Response(made.result.data, media_type=FORMATS[format][1], headers=headers)

    return guarded(request, build)
