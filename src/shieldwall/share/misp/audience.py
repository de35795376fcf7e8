"""MISP distribution and sharing groups ↔ Shieldwall audiences (M4, M5, M14, M17).

Import: distribution 0 is the owner organisation; 1 the community configured for the
source; 2 that plus the connected communities; 3 no distribution limit (TLP alone
decides); 4 the sharing group, if the operator configured it, else the owner organisation
only; 5 inherits the parent's. An attribute is never wider than its event: its audience is
the intersection of both, so "5" and any wider value resolve to the most restrictive of
parent and self. The TLP tag adds the TLP audience; the gate intersects the two.

Export: the reverse, fail closed — an object whose audience MISP cannot express
(``REL TO``, several communities, recipients with no configured sharing group) is left out
with the reason, never widened. TLP:RED and unmarked objects never leave.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.markings import TLP2_BY_LEVEL
from shieldwall.share.misp.context import MispExportContext, MispImportContext, SharingGroupRef
from shieldwall.share.misp.fields import Where, integer, mapping, optional_uuid

INHERIT = 5
SHARING_GROUP = 4


@dataclass(frozen=True, slots=True)
class Audience:
    """A distribution audience; None means "no limit" for that dimension."""

    recipient_org_ids: frozenset[str] | None = None
    community_ids: frozenset[str] | None = None

    def intersect(self, other: Audience) -> Audience:
        """Both audiences at once (a sound, possibly narrower, approximation for communities)."""
        return Audience(
            _meet(self.recipient_org_ids, other.recipient_org_ids),
            _meet(self.community_ids, other.community_ids),
        )


OPEN = Audience()


def _meet(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None:
        return b
    return a if b is None else a & b


def read_distribution(
    entity: Mapping[str, Any], where: Where, context: MispImportContext, parent: Audience | None
) -> Audience:
    """The audience of an event (``parent`` None) or of an attribute/object inside one."""
    level = integer(entity, "distribution", where, default=INHERIT)
    if not 0 <= level <= INHERIT:
        raise where.at("distribution").error(f"distribution {level} is not 0-5")
    if level == INHERIT:
        own = parent if parent is not None else owner_only(context)
    elif level == SHARING_GROUP:
        own = _sharing_group(entity, where, context)
    else:
        own = _by_level(level, context)
    return own if parent is None else own.intersect(parent)


def owner_only(context: MispImportContext) -> Audience:
    """Only the importing organisation."""
    return Audience(recipient_org_ids=frozenset({context.owner_org_id}))


def _by_level(level: int, context: MispImportContext) -> Audience:
    if level == 0:
        return owner_only(context)
    if level == 3:
        return OPEN
    communities = {context.community_id} if context.community_id else set()
    if level == 2:
        communities |= context.connected_community_ids
    return Audience(community_ids=frozenset(communities)) if communities else owner_only(context)


def _sharing_group(entity: Mapping[str, Any], where: Where, ctx: MispImportContext) -> Audience:
    group = mapping(entity, "SharingGroup", where)
    group_uuid = optional_uuid(group, "uuid", where.at("SharingGroup")) if group else None
    known = ctx.sharing_groups.get(group_uuid) if group_uuid else None
    if known is None:
        return owner_only(ctx)
    return Audience(known.recipient_org_ids or None, known.community_ids or None)


def descriptor(
    stix_id: str, audience: Audience, level: TlpLevel | None, context: MispImportContext
) -> ObjectDescriptor:
    """The gate's view of an imported object; an empty intersection is the owner only."""
    recipients = audience.recipient_org_ids
    communities = audience.community_ids
    if (recipients is not None and not recipients) or (communities is not None and not communities):
        recipients, communities = frozenset({context.owner_org_id}), None
    refs = (TLP2_BY_LEVEL[level].id,) if level is not None else ()
    return ObjectDescriptor(
        stix_id,
        context.owner_org_id,
        refs,
        recipient_org_ids=recipients or frozenset(),
        community_ids=communities or frozenset(),
    )


@dataclass(frozen=True, slots=True)
class Distribution:
    """What an exported entity says about its audience."""

    level: int
    group: SharingGroupRef | None = None


def distribution_for(obj: ObjectDescriptor, context: MispExportContext) -> Distribution | str:
    """The MISP distribution for a descriptor, or the reason it cannot be exported."""
    if obj.tlp is None:
        return "unmarked objects are not exported until marked"
    if obj.tlp is TlpLevel.RED:
        return "TLP:RED is never exported to MISP"
    if obj.releasable_to is not None:
        return "MISP cannot express REL TO releasability"
    recipients = obj.recipient_org_ids - {obj.producer_org_id}
    if obj.recipient_org_ids and not recipients:
        return Distribution(0)  # addressed to the producer alone
    if obj.tlp >= TlpLevel.AMBER or recipients:
        return _recipients_group(obj, context) if recipients else Distribution(0)
    if obj.community_ids:
        return _community_group(obj, context)
    return Distribution(3 if obj.tlp is TlpLevel.CLEAR else 1)


def _recipients_group(obj: ObjectDescriptor, context: MispExportContext) -> Distribution | str:
    if obj.community_ids:
        return "MISP cannot express recipients limited to communities as well"
    key = obj.recipient_org_ids | {obj.producer_org_id}
    group = context.recipient_groups.get(key)
    if group is None:
        return "no sharing group is configured for exactly these recipients"
    return Distribution(SHARING_GROUP, group)


def _community_group(obj: ObjectDescriptor, context: MispExportContext) -> Distribution | str:
    if len(obj.community_ids) != 1:
        return "MISP cannot express an audience of several communities"
    group = context.community_groups.get(next(iter(obj.community_ids)))
    if group is None:
        return "no sharing group is configured for this community"
    return Distribution(SHARING_GROUP, group)


_WIDER_THAN: Mapping[int, frozenset[int]] = {
    0: frozenset({0}),
    1: frozenset({0, 1}),
    2: frozenset({0, 1, 2}),
    3: frozenset({0, 1, 2, 3, 4}),
    4: frozenset({0}),
}
"""For each distribution, the holder distributions whose audience it surely contains."""


def covers(inner: Distribution, holder: Distribution) -> bool:
    """True when everyone who sees ``holder`` may see ``inner`` (a part with no own level).

    MISP sightings and object references have no distribution of their own: they reach
    whoever sees what holds them, so they are placed only where that is no wider.
    """
    return inner == holder or holder.level in _WIDER_THAN[inner.level]


def distribution_fields(
    own: Distribution, event: Distribution | None, context: MispExportContext
) -> dict[str, Any]:
    """``distribution``/``sharing_group_id``/``SharingGroup`` for an event or attribute.

    Inside an event, an attribute with the event's own distribution says 5 (inherit).
    Sharing-group membership is stripped unless the context may reveal it (M17).
    """
    if event is not None and own == event:
        return {"distribution": str(INHERIT), "sharing_group_id": "0"}
    fields: dict[str, Any] = {"distribution": str(own.level), "sharing_group_id": "0"}
    if own.group is not None:
        fields["sharing_group_id"] = str(own.group.id)
        group: dict[str, Any] = {"uuid": own.group.uuid, "name": own.group.name}
        if context.reveal_group_members:
            group["SharingGroupOrg"] = [
                {"Organisation": {"uuid": org.uuid, "name": org.name}} for org in own.group.members
            ]
        fields["SharingGroup"] = group
    return fields
