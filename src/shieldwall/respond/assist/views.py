"""Requests for assistance as answers show them (API and command line alike)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shieldwall.model.assistance import AssistRequest, Offer, RequestEvent


@dataclass(frozen=True, slots=True)
class AssistView:
    """A request with what the caller may see of its offers and timeline."""

    request: AssistRequest
    offers: Sequence[Offer]
    history: Sequence[RequestEvent]


def _time(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def request_json(request: AssistRequest) -> dict[str, Any]:
    """One request, with the times to first offer and to acceptance in seconds."""
    return {
        "id": request.id,
        "org_id": request.org_id,
        "requester": request.requester,
        "title": request.title,
        "description": request.description,
        "needs": [need.value for need in request.needs],
        "urgency": request.urgency.value,
        "tlp": request.tlp.label,
        "status": request.status.value,
        "created_at": _time(request.created_at),
        "first_offer_at": _time(request.first_offer_at),
        "accepted_at": _time(request.accepted_at),
        "closed_at": _time(request.closed_at),
        "close_reason": request.close_reason,
        "seconds_to_first_offer": request.seconds_to_first_offer,
        "seconds_to_acceptance": request.seconds_to_acceptance,
    }


def offer_json(offer: Offer) -> dict[str, Any]:
    """One offer."""
    return {
        "id": offer.id,
        "request_id": offer.request_id,
        "org_id": offer.org_id,
        "person_id": offer.person_id,
        "need": offer.need.value,
        "text": offer.text,
        "status": offer.status.value,
        "created_at": _time(offer.created_at),
        "updated_at": _time(offer.updated_at),
    }


def event_json(event: RequestEvent) -> dict[str, Any]:
    """One line of a request's timeline."""
    return {
        "at": _time(event.at),
        "actor": event.actor,
        "org_id": event.org_id,
        "action": event.action,
        "detail": event.detail,
    }


def view_json(view: AssistView) -> dict[str, Any]:
    """A request with its offers and timeline."""
    body = request_json(view.request)
    body["offers"] = [offer_json(offer) for offer in view.offers]
    body["history"] = [event_json(event) for event in view.history]
    return body
