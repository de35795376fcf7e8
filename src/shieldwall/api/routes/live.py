"""The live pipeline over REST: telemetry in (``POST /ingest``), alerts out.

Thin, as every route: the intake reads, normalises and makes the batch durable before it
answers; the alert desk reads through the gate. The member is the caller's organisation,
from its token; an alert the caller may not see is "not found", like an absent one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Header, Path, Query, Request, Response

from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.live import alert_json

router = APIRouter(prefix="/api/v1", tags=["live"])

IngestFormat = Literal["json", "zeek", "suricata", "syslog", "cef", "auditd", "sysmon_linux"]


def _json(body: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code, media_type="application/json")


@router.post("/ingest")
async def ingest(
    request: Request,
    svc: ServicesDep,
    who: PrincipalDep,
    format: IngestFormat | None = None,
    content_encoding: Annotated[str, Header(max_length=32)] = "",
    idempotency_key: Annotated[str, Header(max_length=200)] = "",
) -> Response:
    """Accept a batch of NDJSON telemetry; answer once the accepted records are durable."""
    body = await request.body()
    report = await svc.ingest.accept(
        who,
        body,
        encoding=content_encoding.strip().lower(),
        forced=format,
        batch_key=idempotency_key,
    )
    return _json(report.as_json())


@router.get("/alerts")
def list_alerts(
    svc: ServicesDep,
    who: PrincipalDep,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Alerts the caller may see, oldest first after sequence ``after``."""
    page = svc.alerts.page(who, after=after, limit=limit)
    body: dict[str, Any] = {"alerts": [alert_json(alert) for alert in page]}
    if len(page) == limit:
        body["next_after"] = page[-1].seq
    return _json(body)


@router.get("/alerts/{seq}")
def get_alert(
    svc: ServicesDep, who: PrincipalDep, seq: Annotated[int, Path(ge=1, le=2**63 - 1)]
) -> Response:
    """One alert, or 404 whether absent or not the caller's to see."""
    return _json(alert_json(svc.alerts.get(who, seq)))
