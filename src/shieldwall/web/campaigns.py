"""Campaigns: the incidents, members (as the gate allows), indicators and techniques one
campaign links, listed and drawn as a graph.

The campaign desk gives the campaign as the person may see it: members they may not see are
only counted. Techniques come from the alerts of the incidents the incident desk shows
them; indicators from the intelligence desk's search by the campaign's observable.
"""

from __future__ import annotations

import time
from collections import Counter

from fastapi import APIRouter, Path, Request, Response

from shieldwall.model.errors import NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.model.incident import CampaignSight
from shieldwall.runtime import Services
from shieldwall.web import reads
from shieldwall.web.graph import Node, draw
from shieldwall.web.guard import guarded
from shieldwall.web.render import page
from shieldwall.web.session import Session, services
from shieldwall.web.tlp import badges

router = APIRouter(prefix="/console/campaigns", include_in_schema=False)
MAX_INCIDENTS_READ = 20
"""Incidents whose alerts are read for a campaign's techniques (the newest)."""


@router.get("")
def campaign_list(request: Request) -> Response:
    """The campaigns this person's organisation is part of (every one for the centre)."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        found = services(request).campaigns.page(session.principal, limit=1000)
        campaigns = sorted(found, key=lambda c: c.id, reverse=True)
        ctx = {"title": "Campaigns", "campaigns": campaigns}
        return page(request, "campaigns.html", session, ctx, started=started)

    return guarded(request, build)


def _techniques(svc: Services, who: Principal, sight: CampaignSight) -> dict[int, Counter[str]]:
    ids = sorted({i for m in sight.members for i in m.incident_ids}, reverse=True)
    found: dict[int, Counter[str]] = {}
    for incident_id in ids[:MAX_INCIDENTS_READ]:
        try:
            view = svc.incidents.get(who, incident_id)
        except NotFoundError:
            continue  # merged away, or not the person's to see: drawn without techniques
        found[incident_id] = reads.technique_counts(view.alerts)
    return found


def _graph(
    sight: CampaignSight, techniques: dict[int, Counter[str]], indicators: list[dict[str, object]]
) -> tuple[list[Node], list[tuple[str, str]]]:
    nodes = [Node("obs", 2, sight.link, "observable")]
    edges: list[tuple[str, str]] = []
    for member in sight.members:
        nodes.append(Node(f"m:{member.org_id}", 0, member.org_id, "member"))
        for incident_id in member.incident_ids:
            key = f"i:{incident_id}"
            nodes.append(
                Node(
                    key,
                    1,
                    f"incident {incident_id}",
                    "incident",
                    f"/console/incidents/{incident_id}",
                )
            )
            edges += [(f"m:{member.org_id}", key), (key, "obs")]
            for technique in sorted(techniques.get(incident_id, {})):
                if all(n.key != f"t:{technique}" for n in nodes):
                    nodes.append(
                        Node(
                            f"t:{technique}",
                            3,
                            technique,
                            "technique",
                            f"/console/alerts?technique={technique}",
                        )
                    )
                edges.append((key, f"t:{technique}"))
    if sight.other_members:
        nodes.append(Node("hidden", 0, f"{sight.other_members} other member(s)", "hidden"))
    for indicator in indicators:
        key = f"x:{indicator['id']}"
        nodes.append(
            Node(
                key,
                2,
                str(indicator.get("name") or indicator["id"]),
                "indicator",
                f"/console/intel?id={indicator['id']}",
            )
        )
        edges.append(("obs", key))
    return nodes, edges


@router.get("/{campaign_id}")
def campaign_detail(request: Request, campaign_id: int = Path(ge=1, le=2**63 - 1)) -> Response:
    """One campaign as this person may see it, drawn as a graph."""
    started = time.perf_counter()

    def build(session: Session) -> Response:
        svc, who = services(request), session.principal
        sight = svc.campaigns.get(who, campaign_id)
        techniques = _techniques(svc, who, sight)
        indicators = reads.indicators_for(svc, who, reads.observable_value(sight.link))
        nodes, edges = _graph(sight, techniques, indicators)
        all_techniques: Counter[str] = sum(techniques.values(), Counter())
        ctx = {
            "title": f"Campaign {campaign_id}",
            "sight": sight,
            "indicators": [
                {**x, "badges": badges(x.get("object_marking_refs", ()))} for x in indicators
            ],
            "techniques": all_techniques.most_common(),
            "graph": draw(f"Campaign {campaign_id}: what it links", nodes, edges),
        }
        return page(request, "campaign.html", session, ctx, started=started)

    return guarded(request, build)
