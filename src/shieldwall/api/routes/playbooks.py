"""CACAO 2.0 playbooks over REST: import, validate, export, run, journals and approvals.

Thin, as every route: the playbook desk (``respond``) checks the role, the gate (a member
sees only its own playbooks and the runs and approvals that concern it; the rest is 404,
exactly like absent ones) and the playbook itself. A refused playbook is a 422 problem
document whose ``problems`` list every place to fix.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import Field

from shieldwall.api import problems
from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.api.schemas import Slug, Strict
from shieldwall.model.playbook import RunStatus
from shieldwall.respond import (
    DryRun,
    PlaybookRefusedError,
    RunView,
    approval_json,
    entry_json,
    playbook_json,
    problem_json,
    run_json,
)

router = APIRouter(prefix="/api/v1", tags=["playbooks"])
PlaybookId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^playbook--[0-9a-fA-F-]{36}$")
]
RunId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Form = Literal["json", "yaml"]
Owner = Annotated[Slug | None, Query(description="Whose copy (the centre: any member's).")]


class RunIn(Strict):
    """Start a run by hand: values for the playbook's variables; ``dry_run`` writes nothing."""

    variables: dict[str, Any] = Field(default_factory=dict, max_length=200)
    dry_run: bool = False


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


def _refused(exc: PlaybookRefusedError) -> Response:
    listed = [problem_json(p) for p in exc.problems]
    return problems.problem(422, "Unprocessable Content", str(exc), None, problems=listed)


def _form(request: Request) -> Form:
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip()
    return "yaml" if kind in ("application/yaml", "application/x-yaml", "text/yaml") else "json"


def _view(view: RunView) -> Response:
    body = run_json(view.run)
    body["journal"] = [entry_json(e) for e in view.journal]
    body["approvals"] = [approval_json(a) for a in view.approvals]
    return _json(body)


@router.get("/playbooks")
def list_playbooks(svc: ServicesDep, who: PrincipalDep) -> Response:
    """Playbooks the caller may see."""
    return _json({"playbooks": [playbook_json(r) for r in svc.playbooks.playbooks(who)]})


@router.post("/playbooks")
async def import_playbook(request: Request, svc: ServicesDep, who: PrincipalDep) -> Response:
    """Import a CACAO 2.0 playbook (JSON, or YAML with a YAML content type)."""
    data, form = await request.body(), _form(request)
    try:
        record = await run_in_threadpool(svc.playbooks.import_playbook, who, data, form=form)
    except PlaybookRefusedError as exc:
        return _refused(exc)
    return _json(playbook_json(record), 201)


@router.post("/playbooks/validate")
async def validate_playbook(request: Request, svc: ServicesDep, who: PrincipalDep) -> Response:
    """Every problem of a playbook, nothing stored; an empty list: it would be accepted."""
    data, form = await request.body(), _form(request)
    found = await run_in_threadpool(svc.playbooks.validate, who, data, form=form)
    return _json({"valid": not found, "problems": [problem_json(p) for p in found]})


@router.get("/playbooks/{playbook_id}")
def export_playbook(
    svc: ServicesDep, who: PrincipalDep, playbook_id: PlaybookId, owner: Owner = None
) -> Response:
    """The playbook as CACAO 2.0 JSON, or 404 whether absent or hidden."""
    body = svc.playbooks.export(who, playbook_id, owner)
    return Response(body, media_type="application/json")


@router.put("/playbooks/{playbook_id}/triggers")
def set_triggers(
    svc: ServicesDep,
    who: PrincipalDep,
    playbook_id: PlaybookId,
    body: list[dict[str, Any]],
    owner: Owner = None,
) -> Response:
    """Replace what starts the playbook (events matching a condition, a schedule)."""
    return _json(playbook_json(svc.playbooks.set_triggers(who, playbook_id, body, owner)))


@router.post("/playbooks/{playbook_id}/runs")
def start_run(
    svc: ServicesDep, who: PrincipalDep, playbook_id: PlaybookId, body: RunIn, owner: Owner = None
) -> Response:
    """Start a run by hand (or show what it would do with ``dry_run``)."""
    result = svc.playbooks.run(who, playbook_id, body.variables, dry_run=body.dry_run, owner=owner)
    if isinstance(result, DryRun):
        steps = [entry_json(step) for step in result.steps]
        return _json(
            {
                "dry_run": True,
                "status": result.status.value,
                "outcome": result.outcome,
                "steps": steps,
            }
        )
    return _json(run_json(result), 201)


@router.get("/playbook-runs")
def list_runs(
    svc: ServicesDep,
    who: PrincipalDep,
    status: RunStatus | None = None,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Runs that concern the caller, oldest first after id ``after``."""
    page = svc.playbooks.runs(who, status=status, after=after, limit=limit)
    body: dict[str, Any] = {"runs": [run_json(run) for run in page]}
    if len(page) == limit:
        body["next_after"] = page[-1].id
    return _json(body)


@router.get("/playbook-runs/{run_id}")
def get_run(svc: ServicesDep, who: PrincipalDep, run_id: RunId) -> Response:
    """A run with its journal and approvals, or 404 whether absent or hidden."""
    return _view(svc.playbooks.journal(who, run_id))


@router.get("/playbook-approvals")
def pending_approvals(svc: ServicesDep, who: PrincipalDep) -> Response:
    """Approvals waiting in runs that concern the caller."""
    return _json({"approvals": [approval_json(a) for a in svc.playbooks.pending(who)]})


@router.post("/playbook-approvals/{approval_id}/{decision}")
def decide(
    svc: ServicesDep,
    who: PrincipalDep,
    approval_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    decision: Literal["approve", "reject"],
) -> Response:
    """Approve or reject for the caller's organisation; the run advances at once."""
    run = svc.playbooks.decide(who, approval_id, decision == "approve")
    return _json(run_json(run))
