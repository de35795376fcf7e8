"""Alerts of watchlist hits: an indicator a member may see, matched in that member's event.

One alert per event and indicator, whatever number of fields matched it: the key is
``<member>:<event number>:<indicator id>``, unique in the store like a rule alert's, so a
redelivered batch stores nothing twice. The indicator id stands in the rule's place
(``rule_id``), its value in the title, and ``kind`` is ``indicator``.

Indicators with full STIX patterns alert the same way (:mod:`.pattern_windows`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from shieldwall.detect.watchlist import Hit, Matcher
from shieldwall.live.alert_facts import EventFacts
from shieldwall.model.alert import NewAlert

WatchLookup = Callable[[str], Matcher | None]
"""The watchlist of a member (its id), or None when it has none (yet)."""

SightingSink = Callable[[Sequence[NewAlert]], None]
"""Told of indicator alerts stored for the first time (to report sightings of them)."""


def indicator_alerts(hits: Sequence[Hit], facts: EventFacts, sequence: int) -> list[NewAlert]:
    """The alerts of one event's hits, with what every alert of the event shares."""
    by_indicator: dict[str, list[Hit]] = {}
    for hit in hits:
        by_indicator.setdefault(hit.entry.indicator_id, []).append(hit)
    member, event = facts.member, facts.event
    alerts = []
    for indicator_id, found in by_indicator.items():
        first = found[0].entry
        alerts.append(
            NewAlert(
                key=f"{member}:{sequence}:{indicator_id}",
                org_id=member,
                rule_id=indicator_id,
                rule_title=f"Indicator match: {first.value}",
                level=first.level,
                tags=(),
                event_time=event.timestamp,
                source=facts.source,
                matched={hit.field: hit.observed for hit in found},
                event=facts.evidence,
                entities=facts.entities,
                kind="indicator",
                dedup_key=facts.dedup(indicator_id),
            )
        )
    return alerts
