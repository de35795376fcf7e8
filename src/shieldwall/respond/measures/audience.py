"""Which issued measures a member may receive: the sharing gate, asked per member.

An issued measure is addressed like a share: a TLP level (TLP:RED is refused, lists serve
organisations as a whole), optional communities and member organisations. The gate
(:class:`shieldwall.policy.gate.Viewer`) decides, with the member's own viewer as an
organisation (no person), exactly as it does for indicators, and through the same egress
ceiling (TLP:AMBER+STRICT).
"""

from __future__ import annotations

from shieldwall.model.errors import InputError, NotFoundError
from shieldwall.model.measures import Measure
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.decision import DECISIONS, Reason
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.directory import SnapshotDirectory
from shieldwall.policy.gate import Viewer
from shieldwall.policy.markings import TLP2_BY_LEVEL
from shieldwall.store.protocols import UnitOfWork

LEVELS = {
    "clear": TlpLevel.CLEAR,
    "green": TlpLevel.GREEN,
    "amber": TlpLevel.AMBER,
    "amber+strict": TlpLevel.AMBER_STRICT,
}
"""The TLP levels a measure may carry (names as the API takes them)."""


def check_level(name: str) -> str:
    """The level's name, lower-case; InputError for TLP:RED or an unknown name."""
    key = name.strip().lower().removeprefix("tlp:")
    if key not in LEVELS:
        raise InputError(
            "tlp must be clear, green, amber or amber+strict (lists serve whole "
            "organisations, never TLP:RED)",
            place="tlp",
        )
    return key


def descriptor_of(measure: Measure) -> ObjectDescriptor:
    """The sharing facts of an issued measure, as the gate reads them."""
    marking = TLP2_BY_LEVEL[LEVELS[measure.tlp]].id
    return ObjectDescriptor(
        id=f"measure--{measure.id}",
        producer_org_id=measure.org_id,
        marking_refs=(marking,),
        recipient_org_ids=measure.recipient_org_ids,
        community_ids=measure.community_ids,
    )


def directory_of(tx: UnitOfWork) -> SnapshotDirectory:
    """Who exists now: organisations and communities (people play no part for lists)."""
    return SnapshotDirectory(tx.organisations.list(), (), tx.communities.list())


def member_viewer(directory: SnapshotDirectory, org_id: str) -> Viewer:
    """The member as a whole (no person, so never TLP:RED); a suspended one sees nothing."""
    org = directory.organisation(org_id)
    if org is None:
        raise NotFoundError("not found")
    if not org.active:
        return Viewer(directory, person_id=None, org_id=None, blocked=DECISIONS[Reason.SUSPENDED])
    parent = directory.organisation(org.parent_id) if org.parent_id else None
    return Viewer(
        directory,
        person_id=None,
        org_id=org.id,
        parent_id=parent.id if parent is not None and parent.active else None,
        country=org.country,
        communities=directory.communities_of(org.id),
    )


def receives(
    viewer: Viewer, measure: Measure, decided: dict[tuple[object, ...], bool] | None = None
) -> bool:
    """May this member receive the measure now? ``decided`` remembers the answer per
    addressing (issuer, level, communities, members) for one viewer: lists of many
    measures share a few addressings, and the gate's answer depends on nothing else."""
    if decided is None:
        return viewer.may_receive(descriptor_of(measure))
    key = (measure.org_id, measure.tlp, measure.community_ids, measure.recipient_org_ids)
    found = decided.get(key)
    if found is None:
        found = decided[key] = viewer.may_receive(descriptor_of(measure))
    return found
