"""Cases: the list of cases the person is a party to, and one case with its tasks,
observables, comments, evidence and timeline.

Every read is a call to the runtime's case desk (``Services.cases``), which asks the gate
for the case and for each of its items: a member sees the items its TLP and the case's
shares let it see, and a case it is no party to is "not found", exactly like an absent one.
The forms that change a case are in :mod:`shieldwall.web.case_forms`.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Path, Query, Request, Response

from shieldwall.model.case import CaseStatus, ItemKind, TaskStatus
from shieldwall.model.errors import InputError
from shieldwall.respond import OBSERVABLE_TYPES, tlp_label
from shieldwall.web.guard import guarded
from shieldwall.web.render import page
from shieldwall.web.session import Session, services

router = APIRouter(prefix="/console/cases", include_in_schema=False)
PAGE_SIZE = 50
CaseId = Path(ge=1, le=2**63 - 1)
TLP_CHOICES = ("clear", "green", "amber", "amber+strict", "red")


def case_status(text: str) -> CaseStatus | None:
    """A case status from a form or a query; InputError when it is not one."""
    if not text:
        return None
    try:
        return CaseStatus(text)
    except ValueError as exc:
        raise InputError("unknown status", place="status") from exc


@router.get("")
def case_list(
    request: Request,
    status: str = "",
    after: int = Query(0, ge=0, le=2**63 - 1),
) -> Response:
    """The cases this person is a party to (every one for the centre), oldest first."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        found = services(request).cases.page(
            session.principal, status=case_status(status), after=after, limit=PAGE_SIZE + 1
        )
        shown = list(found[:PAGE_SIZE])
        ctx = {
            "title": "Cases",
            "cases": shown,
            "status": status,
            "statuses": list(CaseStatus),
            "next_after": shown[-1].id if len(found) > PAGE_SIZE else None,
            "after": after,
        }
        return page(request, "cases.html", session, ctx, started=started)

    return guarded(request, build)


@router.get("/{case_id}")
def case_detail(request: Request, case_id: int = CaseId) -> Response:
    """One case as this person may see it, with the forms they may use."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        view = services(request).cases.get(session.principal, case_id)
        items = {kind: [i for i in view.items if i.kind is kind] for kind in ItemKind}
        ctx = {
            "title": f"Case {case_id}",
            "view": view,
            "case": view.case,
            "tasks": items[ItemKind.TASK],
            "observables": items[ItemKind.OBSERVABLE],
            "comments": items[ItemKind.COMMENT],
            "evidence": items[ItemKind.EVIDENCE],
            "statuses": list(CaseStatus),
            "task_statuses": list(TaskStatus),
            "observable_types": OBSERVABLE_TYPES,
            "tlp_choices": TLP_CHOICES,
            "tlp_label": tlp_label,
        }
        return page(request, "case.html", session, ctx, started=started)

    return guarded(request, build)
