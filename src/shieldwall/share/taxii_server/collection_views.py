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

A ``measures`` collection per member subscribed to protective measures, readable by that
member and the centre, writable by nobody, holds its measures (:mod:`.measures`).
A ``revocations`` collection per organisation, readable by that organisation only and
writable by nobody, holds tombstones of objects it could see and no longer may
(:mod:`.tombstones`). It is not stored: its id is derived from the organisation's id
(:func:`revocations_collection`), so it needs no row and no migration.

Reading is always through the gate on top of the view: a member collection shows another
organisation's objects only as far as their markings allow. Sensors never get here.
Each collection is an outbound channel with a maximum TLP (default TLP:AMBER+STRICT; TLP:RED
never leaves through an organisation-level channel).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from shieldwall.model.identity import OrgKind, Principal
from shieldwall.model.intel import CollectionRecord, CollectionScope
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.egress import Channel, ChannelKind
from shieldwall.policy.gate import Viewer
from shieldwall.policy.roles import Action, may
from shieldwall.share.intel.audience import Addressing
from shieldwall.store.protocols import UnitOfWork

DEFAULT_MAX_TLP = TlpLevel.AMBER_STRICT
FEDERATION = "federation"
REVOCATIONS = "revocations"
MEASURES = "measures"


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


def revocations_collection(tx: UnitOfWork, org_id: str | None) -> CollectionRecord | None:
    """The caller organisation's revocations collection (None for callers of no active org)."""
    org = tx.organisations.get(org_id) if org_id else None
    if org is None or not org.active:
        return None
    return CollectionRecord(
        _derived_uuid4(f"revocations:{org.id}"),
        REVOCATIONS,
        org.id,
        f"Revocations for {org.name}",
        f"Objects {org.name} could see and no longer may, as revoked tombstones",
        int(DEFAULT_MAX_TLP),
    )


def measures_collection(org_id: str, name: str) -> CollectionRecord:
    """The member's protective measures collection (:mod:`.measures`): not stored either."""
    return CollectionRecord(
        _derived_uuid4(f"measures:{org_id}"),
        MEASURES,
        org_id,
        f"Protective measures for {name}",
        f"The protective measures {name} subscribed to, as STIX 2.1 indicators",
        int(DEFAULT_MAX_TLP),
    )


def _derived_uuid4(seed: str) -> str:
    """A stable id in UUIDv4 form (T15) for a collection that has no stored row."""
    digest = hashlib.sha256(seed.encode()).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=4))


def access(collection: CollectionRecord, viewer: Viewer, principal: Principal) -> Access:
    """can_read / can_write of this collection for this caller, now."""
    org = viewer.org_id
    if org is None:
        return Access(False, False)
    writer = may(principal.role, Action.INTEL_PUBLISH)
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
    if kind == REVOCATIONS:
        return Access(subject == org, False)
    if kind == MEASURES:
        return Access(subject == org or principal.org_kind is OrgKind.CENTRE, False)
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
