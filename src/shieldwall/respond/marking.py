"""What the sharing gate is told about respond's own items (notifications, requests).

Each item carries one TLP 2.0 level and the audience fields; the gate decides on an
:class:`~shieldwall.policy.ObjectDescriptor` like every STIX object's, with the item's
organisation as the producer, so the rules (producer, recipients, clients, communities,
REL TO, named people for RED) are the same ones, asked of the same function.
"""

from __future__ import annotations

from shieldwall.model.sharing import Addressees, TlpLevel
from shieldwall.policy import ObjectDescriptor
from shieldwall.policy.markings import TLP2_BY_LEVEL


def describe(
    item_id: str, producer_org_id: str, tlp: TlpLevel, audience: Addressees
) -> ObjectDescriptor:
    """The descriptor the gate decides on for one of respond's items."""
    return ObjectDescriptor(
        id=item_id,
        producer_org_id=producer_org_id,
        marking_refs=(TLP2_BY_LEVEL[tlp].id,),
        **audience.addressed(),
    )
