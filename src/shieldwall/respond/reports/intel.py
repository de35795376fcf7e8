"""The SITREP's intelligence section: indicators shared in the period and those sighted.

It works on what the intel source returned for the recipient (the gate has spoken); a
sighting of an indicator the recipient may not receive is counted among the period's
sightings but never named.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from shieldwall.respond.reports.content import IndicatorLine, IndicatorSection, Period
from shieldwall.respond.reports.sources import IntelItem


def indicator_section(items: Sequence[IntelItem], period: Period) -> IndicatorSection:
    """Indicators added in the period, and indicators sighted in it with their counts."""
    indicators = {item.stix_id: item for item in items if item.type == "indicator"}
    shared = sorted(
        (item for item in indicators.values() if period.holds(item.added)),
        key=lambda item: (item.added, item.stix_id),
    )
    sightings = [i for i in items if i.type == "sighting" and period.holds(i.added)]
    counts: Counter[str] = Counter()
    for sighting in sightings:
        counts[sighting.sighting_of] += max(1, sighting.count)
    sighted = [
        _line(indicators[ref], count)
        for ref, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
        if ref in indicators
    ]
    return IndicatorSection(
        shared=tuple(_line(item) for item in shared),
        sighted=tuple(sighted),
        sightings=sum(counts.values()),
        sightings_tlp=tuple(sighting.tlp for sighting in sightings),
    )


def _line(item: IntelItem, sightings: int = 0) -> IndicatorLine:
    return IndicatorLine(
        stix_id=item.stix_id,
        name=item.name,
        pattern=item.pattern,
        tlp=item.tlp,
        sightings=sightings,
    )
