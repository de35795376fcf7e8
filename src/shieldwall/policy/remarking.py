"""Changing an object's marking or distribution (tlp-policy.md rules a and b).

Widening (AMBER→GREEN, more recipients, a wider community or REL TO list) is the source's
decision alone and arrives as a new version by the producer; the caller records it in the
audit log. Anyone who may change the object at all may narrow its TLP level. Whether a
distribution change widens depends on the level (an empty recipient list is the
narrowest AMBER and the widest GREEN), so for anyone but the producer any distribution
change counts as widening: only a pure narrowing of the level is allowed.
"""

from __future__ import annotations

from shieldwall.model.errors import PermissionDeniedError
from shieldwall.policy.derived import effective_level
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.directory import Directory


def check_remarking(
    previous: ObjectDescriptor,
    proposed: ObjectDescriptor,
    actor_org_id: str,
    directory: Directory,
) -> None:
    """Refuse a change that would widen the audience unless the producer makes it."""
    if actor_org_id == previous.producer_org_id:
        return
    if proposed.producer_org_id != previous.producer_org_id:
        raise PermissionDeniedError(f"{previous.id}: only the producer may change the producer")
    if _distribution(proposed) != _distribution(previous):
        raise PermissionDeniedError(
            f"{previous.id}: only the producer may change recipients, communities or REL TO"
        )
    before = effective_level(previous, directory)
    after = effective_level(proposed, directory)
    if after < before:
        raise PermissionDeniedError(
            f"{previous.id}: only the producer may widen {before.label} to {after.label}"
        )


def _distribution(obj: ObjectDescriptor) -> tuple[object, ...]:
    return (obj.recipient_org_ids, obj.recipient_person_ids, obj.community_ids, obj.releasable_to)
