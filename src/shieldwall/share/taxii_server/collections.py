"""TAXII collections are views through the gate, one per audience a share can address.

========== ======================= ========================== ============================
kind       holds                   can_read                   can_write (posting addresses)
========== ======================= ========================== ============================
federation everything the caller   every member               every member (markings only)
           may see
member     what one organisation   every member               that organisation only
           produced
recipient  what was addressed to   that organisation only     every member (addressed to
           one organisation                                   that organisation)
community  what was addressed to   members of the community   members of the community
           one community                                      (addressed to it)
========== ======================= ========================== ============================

Reading is always through the gate on top of the view: a member collection shows another
organisation's objects only as far as their markings allow. Sensors read but never write.
Each collection is an outbound channel with a maximum TLP (default TLP:AMBER+STRICT; TLP:RED
never leaves through an organisation-level channel).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from shieldwall.model.identity import Principal, Role
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.egress import Channel, ChannelKind
from shieldwall.policy.gate import Viewer
from shieldwall.share.intel.audience import Addressing
from shieldwall.store.intel_records import CollectionRecord, CollectionScope
from shieldwall.store.protocols import UnitOfWork

DEFAULT_MAX_TLP = TlpLevel.AMBER_STRICT
FEDERATION = "federation"


@dataclass(frozen=True, slots=True)
class Access:
    """What the caller may do with a collection."""

    can_read: bool
    can_write: bool

    @property
    def visible(self) -> bool:
        return self.can_read or self.can_write


def ensure_collections(tx: UnitOfWork) -> list[CollectionRecord]:
    """Every collection, creating those the current members and communities call for."""
    existing = list(tx.collections.list())
    have = {(c.kind, c.subject) for c in existing}
    wanted = [("federation", FEDERATION, "Federation", "Everything shared with you")]
    for org in tx.organisations.list():
        if org.active:
            wanted.append(("member", org.id, f"From {org.name}", f"Published by {org.name}"))
            wanted.append(("recipient", org.id, f"To {org.name}", f"Addressed to {org.name}"))
    for community in tx.communities.list():
        wanted.append(("community", community.id, community.name, f"Shared in {community.name}"))
    for kind, subject, title, description in wanted:
        if (kind, subject) not in have:
            record = CollectionRecord(
                str(uuid.uuid4()), kind, subject, title, description, int(DEFAULT_MAX_TLP)
            )
            tx.collections.add(record)
            existing.append(record)
    return existing


def access(collection: CollectionRecord, viewer: Viewer, principal: Principal) -> Access:
    """can_read / can_write of this collection for this caller, now."""
    org = viewer.org_id
    if org is None:
        return Access(False, False)
    writer = principal.role is not Role.SENSOR
    kind, subject = collection.kind, collection.subject
    if kind == "federation":
        return Access(True, writer)
    if kind == "member":
        return Access(True, writer and subject == org)
    if kind == "recipient":
        return Access(subject == org, writer)
    if kind == "community":
        member = subject in viewer.communities
        return Access(member, member and writer)
    return Access(False, False)


def scope(collection: CollectionRecord) -> CollectionScope:
    """The store-side description of the view."""
    return CollectionScope(collection.kind, collection.subject, collection.max_tlp)


def addressing(collection: CollectionRecord) -> Addressing:
    """How an object posted to the collection is addressed."""
    if collection.kind == "recipient":
        return Addressing(recipient_org_ids=frozenset({collection.subject}))
    if collection.kind == "community":
        return Addressing(community_ids=frozenset({collection.subject}))
    return Addressing()


def channel(collection: CollectionRecord) -> Channel:
    """The collection as an egress channel."""
    return Channel(
        f"taxii:{collection.id}", ChannelKind.TAXII_COLLECTION, TlpLevel(collection.max_tlp)
    )
