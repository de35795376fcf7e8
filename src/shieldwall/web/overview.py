"""The overview: threat levels and their history, a live feed of new alerts and incidents
(``web/live.py``), open incidents and campaigns, and alerts per member over time."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from time import perf_counter

from fastapi import APIRouter, Request, Response

from shieldwall.model.incident import SEVERITIES, IncidentStatus
from shieldwall.web import reads
from shieldwall.web.charts import line_chart
from shieldwall.web.guard import guarded
from shieldwall.web.posture import read_posture
from shieldwall.web.render import page
from shieldwall.web.session import Session, services

router = APIRouter(prefix="/console", include_in_schema=False)
DAYS = 14
SHOWN = 10
INCIDENTS_READ = 500
"""The overview counts the open incidents among the newest this many."""


@router.get("")
def overview(request: Request) -> Response:
    """The common operational picture as this person may see it."""
    started = perf_counter()

    def build(session: Session) -> Response:
        svc, who = services(request), session.principal
        found = reads.incidents(svc, who, limit=INCIDENTS_READ)
        still_open = [i for i in found.rows if i.status is not IncidentStatus.CLOSED]
        by_severity = Counter(incident.severity for incident in still_open)
        campaigns = list(svc.campaigns.page(who, limit=1000))
        today = datetime.now(UTC).date()
        axis, series = reads.alerts_per_member_day(svc, who, DAYS, today)
        posture = read_posture(svc, who, DAYS, today)
        ctx = {
            "title": "Overview",
            "open_count": len(still_open),
            "severities": [(s, by_severity.get(s, 0)) for s in reversed(SEVERITIES)],
            "open_incidents": sorted(still_open, key=lambda i: i.id, reverse=True)[:SHOWN],
            "incidents_capped": found.capped,
            "campaign_count": len(campaigns),
            "campaigns": sorted(campaigns, key=lambda c: c.id, reverse=True)[:SHOWN],
            "chart": line_chart(f"Alerts per member, last {DAYS} days", axis, series),
            "axis": axis,
            "series": series,
            "scan_limit": INCIDENTS_READ,
            "posture": posture,
        }
        return page(request, "overview.html", session, ctx, started=started)

    return guarded(request, build)
