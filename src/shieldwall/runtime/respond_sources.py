"""Adapters between the parts of ``respond``: approvals and requests for help in the shift
handover, requests in the SITREP.

The parts of ``respond`` were built side by side and each names what it needs of the others
as a small protocol; this module gives each protocol the real source. Every adapter only
reshapes what the source already read through the gate for that reader.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shieldwall.model.assistance import AssistRequest
from shieldwall.model.identity import Principal
from shieldwall.model.playbook import ApprovalRecord
from shieldwall.respond import AssistanceFeed, AssistanceRequest, HandoverItem, PlaybookDesk


@dataclass(frozen=True, slots=True)
class PendingApprovals:
    """Playbook approvals still pending in the runs that concern the person."""

    desk: PlaybookDesk

    def handover_items(self, who: Principal, since: datetime | None) -> Sequence[HandoverItem]:
        """Every pending approval the person's organisation may see (what still waits)."""
        return [_approval_item(approval) for approval in self.desk.pending(who)]


def _approval_item(approval: ApprovalRecord) -> HandoverItem:
    """The approval as the handover lists it, named by what it carries (its ``context``,
    copied for its approvers when it was asked), not read from the playbook."""
    who = "a centre lead" if approval.centre_lead else (
        f"{approval.required} of {', '.join(approval.members)}"
    )  # fmt: skip
    asked = approval.context
    book, step = _part(asked, "playbook"), _part(asked, "step")
    name = f"{book.get('name')} (run {approval.run_id})" if book.get("name") else (
        f"run {approval.run_id}"
    )  # fmt: skip
    at_step = f" at {step['name']}" if step.get("name") else ""
    return HandoverItem(
        kind="approval",
        ref=str(approval.id),
        title=f"{name}{at_step} waits for {who}",
        at=approval.expires_at,
        detail={"run_id": approval.run_id, "votes": len(approval.votes),
                "expires_at": approval.expires_at.isoformat(),
                "context": dict(asked)},
    )  # fmt: skip


def _part(asked: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = asked.get(name)
    return dict(value) if isinstance(value, Mapping) else {}


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
