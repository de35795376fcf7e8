"""A watchlist hit told to the indicator's producer: a sighting, on the member's behalf.

The live pipeline matched an indicator in a member's event; the member's organisation (its
operator, no person) reports a STIX sighting through the same path as the REST API
(:func:`.sighting_report.submit_sighting`): the target must be visible to the organisation
now (the gate, read with the organisation's viewer), and the sighting's default audience
is the organisation and the indicator's producer, so others learn only the anonymised
counts the gate allows (``x_shieldwall_sightings``), never who saw it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.identity import member_identities
from shieldwall.share.intel.org_viewer import org_operator, org_viewer_of
from shieldwall.share.intel.read import IntelReader
from shieldwall.share.intel.sighting_report import SightingReport, submit_sighting
from shieldwall.store.protocols import Store

OPERATOR = "watchlist"
"""The person id the sighting is recorded (and audited) under."""


@dataclass(frozen=True, slots=True)
class WatchSighting:
    """How often a member's events matched one indicator, and when."""

    org_id: str
    indicator_id: str
    count: int
    first_seen: datetime | None = None
    last_seen: datetime | None = None


def report_watch_sighting(store: Store, seen: WatchSighting) -> str:
    """Publish the sighting; its id. NotFoundError when the organisation may no longer see
    the indicator (revoked or narrowed since the hit), InputError when it is refused."""
    now = datetime.now(UTC)
    with store.transaction() as tx:
        directory = StoreDirectory(tx)
        viewer = org_viewer_of(directory, seen.org_id)
        who = org_operator(directory.organisation(seen.org_id), seen.org_id, OPERATOR)
        reader = IntelReader(tx, viewer, who, public_refs=member_identities(tx))
        report = SightingReport(
            sighting_of_ref=seen.indicator_id,
            count=max(1, seen.count),
            first_seen=seen.first_seen,
            last_seen=seen.last_seen,
        )
        obj, _ = submit_sighting(tx, who, directory, reader, report, now)
    return str(obj["id"])
