"""Campaign links by the same technique chain: ordered ATT&CK techniques (docs/posture.md).

An incident's *technique sequence* is its alerts' ATT&CK techniques in the order they
first appear (by event time, then by the order the centre raised the alerts). Every run
of ``chain_length`` consecutive techniques of it is a ``chain:`` link
(``chain:T1566.001>T1204.002>T1059.001``): incidents of two members or more holding the
same chain within ``chain_window`` of each other make a campaign. Only the first
:data:`MAX_ALERTS` alerts of an incident are read: the chain that opened an attack is
there, and a noisy incident costs no more than that.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Protocol

from shieldwall.model.alert import Alert, AlertHit, AlertTechniques
from shieldwall.store.protocols import CampaignRepository, IncidentRepository

MAX_ALERTS = 500


class Techniques(Protocol):
    """Where alerts' techniques are read (the alert repository, or a cache in front of it)."""

    def techniques(self, seqs: Collection[int]) -> Sequence[AlertTechniques]: ...


def technique_sequence(alerts: Iterable[Alert]) -> tuple[str, ...]:
    """The techniques in the order they first appear, each once."""
    return _sequence(
        AlertTechniques(a.seq, a.event_time or a.created_at, a.techniques) for a in alerts
    )


def _sequence(alerts: Iterable[AlertTechniques]) -> tuple[str, ...]:
    ordered = sorted(alerts, key=lambda a: (a.at, a.seq))
    return tuple(dict.fromkeys(t for alert in ordered for t in alert.techniques))


def chain_links(sequence: Sequence[str], length: int, touching: Iterable[str]) -> set[str]:
    """The ``chain:`` links of a sequence that hold one of the ``touching`` techniques."""
    wanted = set(touching)
    size = max(length, 2)
    return {
        "chain:" + ">".join(sequence[i : i + size])[:394]
        for i in range(len(sequence) - size + 1)
        if wanted.intersection(sequence[i : i + size])
    }


def note_chains(
    incidents: IncidentRepository,
    alerts: Techniques,
    campaigns: CampaignRepository,
    hit: AlertHit,
    incident_id: int,
    *,
    length: int,
    window_seconds: float,
) -> set[str]:
    """Note the chains the hit's techniques complete in its incident; the links noted."""
    if not hit.alert.techniques:
        return set()
    seqs = incidents.alert_seqs(incident_id)[:MAX_ALERTS]
    links = chain_links(_sequence(alerts.techniques(seqs)), length, hit.alert.techniques)
    at: datetime = hit.at or hit.alert.event_time or hit.alert.created_at
    for link in sorted(links):
        campaigns.note(link, hit.alert.org_id, incident_id, at, window_seconds=window_seconds)
    return links
