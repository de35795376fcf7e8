"""The glue between ``share`` (which indicators a member may receive, through the gate)
and ``respond`` (which turns them into the lists members' controls consume).

Neither application imports the other; this module imports both, as
:mod:`.watchlists` does for the detect stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shieldwall import respond, share
from shieldwall.store.protocols import Store


def indicator_source(store: Store) -> respond.IndicatorSource:
    """``(member, now) -> terms`` of the indicators the member may receive now."""

    def terms(org_id: str, now: datetime) -> Sequence[respond.IndicatorTerm]:
        return [
            respond.IndicatorTerm(
                t.indicator_id, t.kind, t.value, t.confidence, t.name, t.modified, t.valid_until
            )
            for t in share.protective_terms(store, org_id, now)
        ]

    return terms


def measure_desk(store: Store, signer: respond.MeasureSigner) -> respond.MeasureDesk:
    """The measure desk over the store, with the intelligence store as a source."""
    return respond.MeasureDesk(
        store, signer, indicator_source(store), indicator_stamp=lambda: share.last_change(store)
    )
