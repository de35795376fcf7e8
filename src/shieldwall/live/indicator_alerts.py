"""Alerts of watchlist hits: an indicator a member may see, matched in that member's event.

One alert per event and indicator, whatever number of fields matched it: the key is
``<member>:<bus sequence>:<indicator id>``, unique in the store like a rule alert's, so a
redelivered batch stores nothing twice. The indicator id stands in the rule's place
(``rule_id``), its value in the title, and ``kind`` is ``indicator``.

Indicators with full STIX patterns alert the same way (:mod:`.pattern_windows`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from shieldwall.detect.entities import extract
from shieldwall.detect.watchlist import Hit, Matcher
from shieldwall.model.alert import NewAlert
from shieldwall.model.event import Event

WatchLookup = Callable[[str], Matcher | None]
"""The watchlist of a member (its id), or None when it has none (yet)."""

SightingSink = Callable[[Sequence[NewAlert]], None]
"""Told of indicator alerts stored for the first time (to report sightings of them)."""

MAX_EVIDENCE_FIELDS = 500


def indicator_alerts(
    hits: Sequence[Hit], event: Event, sequence: int, dedup: Callable[[str], str]
) -> list[NewAlert]:
    """The alerts of one event's hits; ``dedup`` gives the dedup key of an indicator id."""
    by_indicator: dict[str, list[Hit]] = {}
    for hit in hits:
        by_indicator.setdefault(hit.entry.indicator_id, []).append(hit)
    if not by_indicator:
        return []
    member = event.member or ""
    evidence = dict(list(event.fields.items())[:MAX_EVIDENCE_FIELDS])
    entities = extract(event.fields)
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
                source=f"{event.source.path}#{event.source.record_id}",
                matched={hit.field: hit.observed for hit in found},
                event=evidence,
                entities=entities,
                kind="indicator",
                dedup_key=dedup(indicator_id),
            )
        )
    return alerts
