"""Adapters between the parts of ``respond``: requests for help in the handover and the SITREP.

The parts of ``respond`` were built side by side and each names what it needs of the others
as a small protocol; this module gives each protocol the real source. Every adapter only
reshapes what the source already read through the gate for that reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shieldwall.model.assistance import AssistRequest
from shieldwall.model.identity import Principal
from shieldwall.respond import AssistanceFeed, AssistanceRequest, HandoverItem


@dataclass(frozen=True, slots=True)
class WaitingRequests:
    """Requests for assistance still open, as the shift handover lists them."""

    feed: AssistanceFeed

    def handover_items(self, who: Principal, since: datetime | None) -> Sequence[HandoverItem]:
        """Every request not closed that the person may see."""
        return [_handover_item(request) for request in self.feed.waiting(who, since)]


@dataclass(frozen=True, slots=True)
class PeriodRequests:
    """Requests for assistance of a period, as the situation report shows them."""

    feed: AssistanceFeed

    def requests(self, org_id: str, start: datetime, end: datetime) -> Sequence[AssistanceRequest]:
        """Requests asked in the period that the organisation may see."""
        return [
            AssistanceRequest(
                title=r.title,
                status=str(r.status),
                requester=r.org_id,
                opened_at=r.created_at,
                tlp=r.tlp,
            )
            for r in self.feed.of_period(org_id, start, end)
        ]


def _handover_item(request: AssistRequest) -> HandoverItem:
    return HandoverItem(
        kind="assistance",
        ref=str(request.id),
        title=request.title,
        at=request.created_at,
        detail={
            "status": str(request.status),
            "urgency": str(request.urgency),
            "requester": request.org_id,
            "first_offer_seconds": request.seconds_to_first_offer,
        },
    )
