"""The rules of a request for assistance: who sees it, who may act, what each step allows.

Seeing a request is the sharing gate's decision, over the request's TLP and audience, with
the requester's organisation as the producer; a request someone may not see is *not
found*, exactly like an absent one. A request for help goes through the centre: at
TLP:AMBER and AMBER+STRICT, and whenever the requester names recipients, the centre's
organisations are added to the recipients (at GREEN with no recipients every member, the
centre included, already sees it; at RED only the named people do, as TLP:RED says).

Acting needs :data:`Action.ASSIST_ACT`: members offer help on requests they see (not
their own); the requester's organisation or the centre accepts offers and closes the
request; the offering organisation reports progress on its accepted offer (its task).
"""

from __future__ import annotations

from collections.abc import Iterable

from shieldwall.model.assistance import AssistRequest, NewRequest, Offer, OfferStatus, RequestStatus
from shieldwall.model.errors import InputError, NotFoundError, PermissionDeniedError
from shieldwall.model.identity import Organisation, OrgKind, Principal
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy import ObjectDescriptor, Viewer
from shieldwall.policy.roles import Action, may
from shieldwall.respond.marking import describe

MAX_TITLE = 300
MAX_TEXT = 10_000
MAX_DESCRIPTION = 20_000
PROGRESS = {
    OfferStatus.ACCEPTED: frozenset({OfferStatus.IN_PROGRESS, OfferStatus.DONE}),
    OfferStatus.IN_PROGRESS: frozenset({OfferStatus.DONE}),
}
"""Where a helper may move its accepted offer (its task) next."""


def through_the_centre(new: NewRequest, organisations: Iterable[Organisation]) -> NewRequest:
    """The request with the centre's organisations among its recipients, where they apply."""
    if new.tlp is TlpLevel.RED:
        return new
    if new.tlp < TlpLevel.AMBER and not new.recipient_org_ids:
        return new
    centre = {org.id for org in organisations if org.kind is OrgKind.CENTRE}
    fields = {**new.addressed(), "recipient_org_ids": new.recipient_org_ids | centre}
    return NewRequest(
        org_id=new.org_id,
        requester=new.requester,
        title=new.title,
        description=new.description,
        needs=new.needs,
        urgency=new.urgency,
        tlp=new.tlp,
        **fields,
    )


def descriptor(request: AssistRequest) -> ObjectDescriptor:
    """The request as the gate sees it."""
    return describe(f"assistance-request--{request.id}", request.org_id, request.tlp, request)


def require(who: Principal, action: Action) -> None:
    """PermissionDeniedError unless the role may take the action at all."""
    if not may(who.role, action):
        raise PermissionDeniedError(f"the {who.role} role may not {action}")


def visible(viewer: Viewer, request: AssistRequest | None, request_id: int) -> AssistRequest:
    """The request when the viewer may see it; NotFoundError alike when hidden or absent."""
    if request is None or not viewer.decide(descriptor(request)).allowed:
        raise NotFoundError(f"request for assistance {request_id} not found")
    return request


def is_owner(who: Principal, request: AssistRequest) -> bool:
    """The requester's organisation or the centre: they accept offers and close."""
    return who.org_id == request.org_id or who.org_kind is OrgKind.CENTRE


def sees_offer(who: Principal, request: AssistRequest, offer: Offer) -> bool:
    """Owners see every offer; a helper sees its own organisation's."""
    return is_owner(who, request) or offer.org_id == who.org_id


def check_open(request: AssistRequest) -> None:
    """Offers and acceptances only while the request is not closed."""
    if request.status is RequestStatus.CLOSED:
        raise InputError(f"request {request.id} is closed", place="status")


def check_new(new: NewRequest) -> None:
    """InputError naming the first problem of a new request."""
    if not 1 <= len(new.title) <= MAX_TITLE or "\n" in new.title or "\r" in new.title:
        raise InputError(f"a title is one line of 1 to {MAX_TITLE} characters", place="title")
    if len(new.description) > MAX_DESCRIPTION:
        raise InputError(
            f"a description is {MAX_DESCRIPTION} characters at most", place="description"
        )
    if not new.needs or len(set(new.needs)) != len(new.needs):
        raise InputError("name what is needed, each once", place="needs")


def check_text(text: str, place: str, longest: int = MAX_TEXT) -> str:
    """Non-empty text within its bound, stripped."""
    kept = text.strip()
    if not 1 <= len(kept) <= longest:
        raise InputError(f"{place} is 1 to {longest} characters", place=place)
    return kept
