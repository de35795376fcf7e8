"""Approvals: the playbook steps that wait for this person's organisation, and the forms a
lead uses to approve or reject them; each run's journal.

Every read and every decision is a call to the runtime's playbook desk
(``Services.playbooks``), the same desk the API calls: the desk lists only the approvals of
runs that concern the caller's organisation, a run that does not concern it is "not found"
exactly like an absent one, and a decision the desk refuses (already decided, not a lead,
expired) comes back as the error page with the desk's status (4xx), never a stack trace.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import RedirectResponse

from shieldwall.model.errors import NotFoundError
from shieldwall.model.identity import OrgKind, Principal, Role
from shieldwall.model.playbook import ApprovalRecord, PlaybookRecord, RunRecord, RunStatus
from shieldwall.respond import PlaybookDesk
from shieldwall.web.guard import Form, guarded, posted
from shieldwall.web.render import page
from shieldwall.web.session import Session, services

router = APIRouter(prefix="/console/approvals", include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
DECIDERS = frozenset({Role.LEAD, Role.ADMIN})
MAX_RUNS = 1000
"""Waiting runs read at once (one more waiting run is read by itself)."""


@dataclass(frozen=True, slots=True)
class Waiting:
    """One pending approval with what the page shows of its run and playbook."""

    approval: ApprovalRecord
    run: RunRecord
    playbook: str
    step: str
    may_decide: bool
    description: str = ""
    will_do: tuple[str, ...] = ()
    trigger: str = ""


def _playbook(desk: PlaybookDesk, who: Principal, run: RunRecord) -> PlaybookRecord | None:
    """The run's playbook when the gate lets the person see it. A member sees only its own
    playbooks: of another's (the centre's) the page shows what the approval itself carries
    (its ``context``, copied when it was asked of them), else the id and owner alone."""
    try:
        return desk.get(who, run.playbook_id, run.playbook_org)
    except NotFoundError:
        return None


def step_name(record: PlaybookRecord | None, step_id: str) -> str:
    """The step's name in the playbook document, or its id."""
    if record is None:
        return step_id
    step: Any = record.document.get("workflow", {}).get(step_id, {})
    name = step.get("name") if isinstance(step, dict) else None
    return name if isinstance(name, str) and name else step_id


def may_decide(who: Principal, approval: ApprovalRecord) -> bool:
    """Whether to offer this person the forms (the desk decides again when they are sent)."""
    if who.role not in DECIDERS or any(v.org_id == who.org_id for v in approval.votes):
        return False
    if approval.centre_lead:
        return who.org_kind is OrgKind.CENTRE
    return who.org_id in approval.members


def waiting(desk: PlaybookDesk, who: Principal) -> list[Waiting]:
    """The pending approvals of runs that concern the person's organisation, oldest first."""
    found: list[Waiting] = []
    books: dict[tuple[str, str], PlaybookRecord | None] = {}
    runs = {run.id: run for run in desk.runs(who, status=RunStatus.WAITING, limit=MAX_RUNS)}
    for approval in sorted(desk.pending(who), key=lambda a: a.id):
        run = runs.get(approval.run_id) or desk.journal(who, approval.run_id).run
        key = (run.playbook_org, run.playbook_id)
        if key not in books:
            books[key] = _playbook(desk, who, run)
        found.append(_row(books[key], approval, run, may_decide(who, approval)))
    return found


def _row(
    book: PlaybookRecord | None, approval: ApprovalRecord, run: RunRecord, decide: bool
) -> Waiting:
    """One row: the approval's own context first (what its approvers were told)."""
    asked = approval.context
    told = _told(asked.get("playbook"))
    name = told.get("name") or (book.name if book else f"{run.playbook_id} ({run.playbook_org})")
    step = _told(asked.get("step")).get("name") or step_name(book, approval.step_id)
    will_do = asked.get("will_do")
    return Waiting(
        approval,
        run,
        name,
        step,
        decide,
        description=told.get("description", ""),
        will_do=tuple(str(x) for x in will_do) if isinstance(will_do, list) else (),
        trigger=str(asked.get("trigger") or ""),
    )


def _told(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(v, str) and v}


@router.get("")
def approvals_page(request: Request) -> Response:
    """What waits for this person's organisation, with the forms a lead may use."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        rows = waiting(services(request).playbooks, session.principal)
        ctx = {"title": "Approvals", "waiting": rows}
        return page(request, "approvals.html", session, ctx, started=started)

    return guarded(request, build)


@router.get("/runs/{run_id}")
def run_journal(request: Request, run_id: Id) -> Response:
    """One run with its journal and approvals; "not found" when it does not concern you."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        desk, who = services(request).playbooks, session.principal
        view = desk.journal(who, run_id)
        book = _playbook(desk, who, view.run)
        ctx = {
            "title": f"Run {run_id}",
            "view": view,
            "run": view.run,
            "playbook": book.name if book else f"{view.run.playbook_id} ({view.run.playbook_org})",
            "step_name": lambda step_id: step_name(book, step_id),
        }
        return page(request, "run.html", session, ctx, started=started)

    return guarded(request, build)


@router.post("/{approval_id}/{verdict}")
async def decide(request: Request, approval_id: Id, verdict: str) -> Response:
    """Approve or reject for the person's organisation; then the run's journal."""

    def act(session: Session, form: Form) -> Response:
        del form
        if verdict not in ("approve", "reject"):
            raise NotFoundError("not found")
        run = services(request).playbooks.decide(
            session.principal, approval_id, verdict == "approve"
        )
        return RedirectResponse(f"/console/approvals/runs/{run.id}", status_code=303)

    return await posted(request, act)
