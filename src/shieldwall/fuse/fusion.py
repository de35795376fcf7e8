"""Fusing one alert hit into the incidents, the same partition whatever the order.

A hit joins every open incident of its member that holds one of its links within the
window, and the incident already holding its alert. None: it opens an incident. One: it
joins it. Several: the hit bridges them, and the oldest absorbs the others (their alerts
and links move over; each absorbed one is closed, ``merged_into`` the survivor, and both
histories say so). That is the connected-component rule of :mod:`.grouping` computed one
hit at a time. An alert whose incident is already closed is counted there and reopens
nothing: the analyst closed it knowing its alerts.

All of it runs in the caller's transaction, after :meth:`IncidentRepository.claim`
succeeded for the hit's key, so a redelivered hit is never fused twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from shieldwall.fuse.grouping import GroupingRules, observables
from shieldwall.fuse.infrastructure import CampaignRules
from shieldwall.model.alert import AlertHit
from shieldwall.model.incident import IncidentStatus
from shieldwall.store.protocols import CampaignRepository, IncidentRepository

ACTOR = "fuse"
"""Who the history names for changes the fuse worker makes."""


def fuse_hit(
    incidents: IncidentRepository,
    hit: AlertHit,
    rules: GroupingRules,
    campaigns: CampaignRepository | None = None,
    heuristics: CampaignRules | None = None,
) -> int:
    """Put the hit in its incident (joined, opened or merged); that incident's id.

    With ``campaigns``, the incident's observables are noted there too: the same one at
    two members or more is a campaign. With ``heuristics``, so is its infrastructure
    (:mod:`.infrastructure`: the same network, registered domain, URL host)."""
    alert = hit.alert
    at = hit_time(hit)
    links = rules.links(hit.entities)
    current = incidents.of_alert(alert.seq)
    if current is not None and current.status is IncidentStatus.CLOSED:
        incidents.attach(current.id, alert.seq, alert.org_id, (), at, current.severity)
        return current.id
    found = incidents.linked(alert.org_id, links, at - rules.window, at + rules.window)
    if current is not None:
        found.add(current.id)
    if not found:
        title = _title(hit)
        target = incidents.open(alert.org_id, title, alert.level, hit.key)
        incidents.record(target, ACTOR, "opened", {"alert": alert.seq, "title": title})
    else:
        target = min(found)
        for other in sorted(found - {target}):
            incidents.merge(other, target)
            if campaigns is not None:
                campaigns.move(other, target)
            incidents.record(other, ACTOR, "merged", {"into": target, "by_alert": alert.seq})
            incidents.record(target, ACTOR, "absorbed", {"incident": other})
    if incidents.attach(target, alert.seq, alert.org_id, links, at, alert.level, rules.window):
        incidents.record(target, ACTOR, "alert", {"alert": alert.seq, "rule": alert.rule_id})
    if campaigns is not None:
        held = set(observables(hit.entities))
        if heuristics is not None:
            held |= heuristics.links(hit.entities, alert.event)
        for link in sorted(held):
            campaigns.note(link, alert.org_id, target, at)
    return target


def hit_time(hit: AlertHit) -> datetime:
    """When the hit happened, as fusion places it."""
    return hit.at or hit.alert.event_time or hit.alert.created_at


def link_spans(
    hits: Iterable[AlertHit], rules: GroupingRules
) -> dict[str, tuple[set[str], datetime, datetime]]:
    """Per member, every link of these hits and the span of their windows: all that
    fusing them asks :meth:`IncidentRepository.linked`, to read at once (``preload``)."""
    spans: dict[str, tuple[set[str], datetime, datetime]] = {}
    for hit in hits:
        at, links = hit_time(hit), rules.links(hit.entities)
        start, end = at - rules.window, at + rules.window
        known = spans.get(hit.alert.org_id)
        if known is None:
            spans[hit.alert.org_id] = (set(links), start, end)
        else:
            known[0].update(links)
            spans[hit.alert.org_id] = (known[0], min(known[1], start), max(known[2], end))
    return spans


def _title(hit: AlertHit) -> str:
    alert = hit.alert
    where = alert.entities.hosts[:1] or alert.entities.users[:1]
    return f"{alert.rule_title} on {where[0]}"[:500] if where else alert.rule_title[:500]
