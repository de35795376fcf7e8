"""Members (centre admins and member leads): organisations, people and tokens.

Each list is the access package's own, which checks the permission table and audits the
read of people; a member lead sees their organisation, the centre's admin the coalition.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response

from shieldwall import access
from shieldwall.model.errors import PermissionDeniedError
from shieldwall.web.guard import guarded
from shieldwall.web.nav import NAV
from shieldwall.web.render import page
from shieldwall.web.session import Session, services

router = APIRouter(prefix="/console/members", include_in_schema=False)


@router.get("")
def members_page(request: Request) -> Response:
    """Organisations, people and tokens as this person may administer them."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        who, store = session.principal, services(request).store
        entry = next(e for e in NAV if e.path == "/console/members")
        if not entry.shows(who):
            raise PermissionDeniedError("the members page is for centre admins and member leads")
        ctx = {
            "title": "Members",
            "organisations": access.list_organisations(store, who),
            "people": access.list_people(store, who, None),
            "tokens": access.list_tokens(store, who),
        }
        return page(request, "members.html", session, ctx, started=started)

    return guarded(request, build)
