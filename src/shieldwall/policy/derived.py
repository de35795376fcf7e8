"""Derived objects (reports, groupings, notes, opinions, sightings) never widen their contents.

Reading: a derived object's effective audience is the intersection of its own audience and
the audience of everything it contains, so a GREEN report over an AMBER indicator reaches
only those who may see both. The one exception is the derived object's producer, who keeps
sight of its own product; the reference stripping of :mod:`shieldwall.policy.references`
then takes out whatever content it may no longer see.

Writing (``tlp-policy.md`` rule e): a derived product takes at least the most restrictive
level of its contents unless an analyst explicitly sanitises it. Sightings (rule c) default
to the submitter's organisation audience, TLP:AMBER+STRICT, whatever the sighted
indicator's level and whatever the submitter configured for its other unmarked objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shieldwall.model.errors import InputError
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.decision import DECISIONS, Decision, Reason
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.directory import Directory
from shieldwall.policy.gate import Viewer
from shieldwall.policy.markings import TLP_AMBER_STRICT

CONTENT_FIELDS: Mapping[str, tuple[str, ...]] = {
    "report": ("object_refs",),
    "grouping": ("object_refs",),
    "note": ("object_refs",),
    "opinion": ("object_refs",),
    "sighting": ("sighting_of_ref", "observed_data_refs"),
}
"""For each derived type, the properties that name its contents."""


def content_refs(stix_object: Mapping[str, Any]) -> tuple[str, ...]:
    """The ids a derived STIX object is made of; empty for other types."""
    refs: list[str] = []
    for key in CONTENT_FIELDS.get(str(stix_object.get("type", "")), ()):
        value = stix_object.get(key)
        if isinstance(value, str):
            refs.append(value)
        elif isinstance(value, list | tuple):
            refs.extend(ref for ref in value if isinstance(ref, str))
    return tuple(refs)


def decide_derived(
    viewer: Viewer, derived: ObjectDescriptor, contents: Iterable[ObjectDescriptor]
) -> Decision:
    """The viewer's decision on a derived object, given descriptors of its contents.

    Contents the store does not hold cannot be hidden from anyone and are left out by
    the caller.
    """
    own = viewer.decide(derived)
    if not own.allowed or own.reason is Reason.PRODUCER:
        return own
    for content in contents:
        if not viewer.decide(content).allowed:
            return DECISIONS[Reason.CONTENT_HIDDEN]
    return own


def effective_level(obj: ObjectDescriptor, directory: Directory) -> TlpLevel:
    """The object's TLP level, with an unmarked object taking its producer's default."""
    return obj.tlp if obj.tlp is not None else directory.unmarked_default(obj.producer_org_id)


def minimum_derived_level(
    contents: Iterable[ObjectDescriptor], directory: Directory
) -> TlpLevel | None:
    """The least restrictive level a product of these contents may carry (None: no content)."""
    levels = [effective_level(content, directory) for content in contents]
    return max(levels) if levels else None


def check_derived_marking(
    derived: ObjectDescriptor,
    contents: Iterable[ObjectDescriptor],
    directory: Directory,
    *,
    sanitised: bool = False,
) -> None:
    """Refuse a derived product marked wider than its most restrictive content."""
    floor = minimum_derived_level(contents, directory)
    level = effective_level(derived, directory)
    if floor is not None and level < floor and not sanitised:
        raise InputError(
            f"marked {level.label} but its contents require at least {floor.label}",
            place=derived.id,
        )


def describe_sighting(
    sighting_id: str,
    submitter_org_id: str,
    marking_refs: tuple[str, ...] = (),
    *,
    recipient_org_ids: frozenset[str] = frozenset(),
) -> ObjectDescriptor:
    """A sighting's descriptor: unmarked sightings take TLP:AMBER+STRICT of the submitter.

    Name the sighted indicator's producer in ``recipient_org_ids`` to let it see the
    sighting; the where-sighted victim stays inside that audience.
    """
    descriptor = ObjectDescriptor(
        sighting_id, submitter_org_id, marking_refs, recipient_org_ids=recipient_org_ids
    )
    if descriptor.tlp is not None:
        return descriptor
    refs = (*marking_refs, TLP_AMBER_STRICT.id)
    return ObjectDescriptor(
        sighting_id, submitter_org_id, refs, recipient_org_ids=recipient_org_ids
    )
