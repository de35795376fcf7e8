"""The sharing facts of an object: from its markings and how it was addressed, to the gate.

An object's audience is decided by its producer when it publishes a version: its markings
(``object_marking_refs`` and granular markings, most restrictive wins) plus the addressing
of the submission (the collection it was posted to names recipient organisations or a
community; the CLI and REST API can add ``REL TO`` countries and named people). Every
version of an object shares the audience of its newest version, so narrowing a marking by
a new version narrows the whole history on the next request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall.model.intel import Audience, ViewerScope
from shieldwall.model.sharing import Addressees, TlpLevel
from shieldwall.policy.derived import describe_sighting
from shieldwall.policy.descriptor import ObjectDescriptor, marking_refs_of
from shieldwall.policy.gate import Viewer

Addressing = Addressees
"""To whom a submission is addressed, beyond what its markings say."""


def audience_for(
    obj: Mapping[str, Any],
    producer_org_id: str,
    addressing: Addressing,
    *,
    extra_recipients: frozenset[str] = frozenset(),
    source: str = "",
) -> Audience:
    """The audience of a submitted object (sightings default to the submitter's org)."""
    refs = marking_refs_of(obj, source=source)
    if obj.get("type") == "sighting":
        refs = describe_sighting(str(obj.get("id")), producer_org_id, refs).marking_refs
    descriptor = ObjectDescriptor(str(obj.get("id")), producer_org_id, refs)
    return Audience(
        producer_org_id=producer_org_id,
        tlp=None if descriptor.tlp is None else int(descriptor.tlp),
        marking_refs=tuple(refs),
        **{
            **addressing.addressed(),
            "recipient_org_ids": addressing.recipient_org_ids | extra_recipients,
        },
    )


def descriptor_of(stix_id: str, audience: Audience) -> ObjectDescriptor:
    """The gate's view of a stored audience."""
    return ObjectDescriptor(
        stix_id,
        audience.producer_org_id,
        audience.marking_refs,
        **audience.addressed(),
    )


def scope_of(viewer: Viewer) -> ViewerScope:
    """The facts of a resolved viewer that the SQL prefilter uses."""
    return ViewerScope(
        org_id=viewer.org_id,
        person_id=viewer.person_id,
        parent_id=viewer.parent_id,
        country=viewer.country,
        communities=viewer.communities,
        blocked=viewer.blocked is not None,
    )


def level_of(audience: Audience) -> TlpLevel | None:
    """The stored TLP level as the enum (None: unmarked)."""
    return None if audience.tlp is None else TlpLevel(audience.tlp)
