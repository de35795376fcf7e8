"""Who may see and work on which cases, and which of their items: the gate for cases.

A case's *parties* are the member whose incident it handles, the organisation that opened
it, and the members it is shared with. Its *managers* are the first two and the centre:
they change its status and assignment and share it. The centre's staff see every case
(as they see every incident); a member sees the cases it is a party to; to anyone else a
case is *not found*, exactly like an absent one.

Items (tasks, observables, evidence, comments) go through the one sharing gate
(:mod:`shieldwall.policy.gate`) as objects of their author's organisation, marked with
their own TLP level and addressed to the parties whose share reaches that level: the
case's member and opener always, a member it is shared with only while the item's level
is at most the share's ``max_tlp``. So a TLP:AMBER+STRICT note is seen by a member the
case was shared with up to TLP:AMBER+STRICT and not by one shared with up to TLP:GREEN,
and a TLP:RED item only by its author's organisation. An item the gate refuses is absent
from every answer: not listed, not counted, its timeline entries left out.
"""

from __future__ import annotations

from collections.abc import Sequence

from shieldwall.model.case import Case, CaseShare
from shieldwall.model.errors import PermissionDeniedError
from shieldwall.model.identity import OrgKind, Person, Principal, Role
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.markings import TLP2_BY_LEVEL
from shieldwall.policy.roles import Action, may


def require(principal: Principal, action: Action) -> None:
    """PermissionDeniedError unless the principal's role may take the action at all."""
    if not may(principal.role, action):
        raise PermissionDeniedError(f"the {principal.role} role may not {action}")


def case_party(principal: Principal) -> str | None:
    """The organisation whose cases the principal lists; None for the centre (every case)."""
    require(principal, Action.CASE_READ)
    return None if principal.org_kind is OrgKind.CENTRE else principal.org_id


def owners(case: Case) -> frozenset[str]:
    """The case's member and the organisation that opened it."""
    return frozenset({case.org_id, case.opened_org})


def parties(case: Case, shares: Sequence[CaseShare]) -> frozenset[str]:
    """Every organisation that may know the case exists (the centre aside)."""
    return owners(case) | {share.org_id for share in shares}


def may_see_case(principal: Principal, case: Case, shares: Sequence[CaseShare]) -> bool:
    """Whether the case exists for this principal (role checked by :func:`case_party`)."""
    return principal.org_kind is OrgKind.CENTRE or principal.org_id in parties(case, shares)


def may_manage(principal: Principal, case: Case) -> bool:
    """Status, assignment and sharing: the case's owners and the centre."""
    return principal.org_kind is OrgKind.CENTRE or principal.org_id in owners(case)


def item_descriptor(
    case: Case, shares: Sequence[CaseShare], item_id: str, producer: str, level: TlpLevel
) -> ObjectDescriptor:
    """What the gate decides an item on: its author's member, its TLP, the parties it reaches."""
    reached = {share.org_id for share in shares if level <= share.max_tlp}
    return ObjectDescriptor(
        id=f"case-item--{item_id}",
        producer_org_id=producer,
        marking_refs=(TLP2_BY_LEVEL[level].id,),
        recipient_org_ids=owners(case) | reached,
    )


def may_be_assigned(person: Person, case: Case, shares: Sequence[CaseShare], kind: OrgKind) -> bool:
    """A case goes to an active person (not a sensor) of a party or of the centre."""
    if not person.active or person.role is Role.SENSOR:
        return False
    return person.org_id in parties(case, shares) or kind is OrgKind.CENTRE
