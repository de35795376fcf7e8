"""Facts about submitted objects that publishing needs before and beside validation.

Ids and versions of objects too broken to validate (for the refusal entry), the marking
and content ids a batch names (fetched from the store in one query), and the audience of
an object whose source gave one (:class:`~.publish.Submission`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shieldwall.model.intel import Audience
from shieldwall.policy.derived import content_refs
from shieldwall.policy.descriptor import ObjectDescriptor, marking_refs_of
from shieldwall.share.intel.validate import ValidObject


def marking_refs_in(items: Sequence[ValidObject]) -> set[str]:
    refs: set[str] = set()
    for item in items:
        refs.update(item.obj.get("object_marking_refs") or ())
        for granular in item.obj.get("granular_markings") or ():
            if isinstance(granular, dict) and isinstance(granular.get("marking_ref"), str):
                refs.add(granular["marking_ref"])
    return refs


def content_ids_in(items: Sequence[ValidObject]) -> set[str]:
    found: set[str] = set()
    for item in items:
        found.update(content_refs(item.obj))
        if item.stix_type == "sighting":
            found.add(str(item.obj.get("sighting_of_ref")))
    return found


def id_of(candidate: Any) -> str:
    ident = candidate.get("id") if isinstance(candidate, dict) else None
    return ident if isinstance(ident, str) else ""


def version_text_of(candidate: Any) -> str:
    if not isinstance(candidate, dict):
        return ""
    value = candidate.get("modified") or candidate.get("created") or ""
    return value if isinstance(value, str) else ""


def described_audience(item: ValidObject, made: ObjectDescriptor, source: str) -> Audience:
    """The given audience, with the object's own markings too (most restrictive wins)."""
    refs = tuple(dict.fromkeys((*made.marking_refs, *marking_refs_of(item.obj, source=source))))
    level = ObjectDescriptor(item.stix_id, made.producer_org_id, refs).tlp
    return Audience(
        producer_org_id=made.producer_org_id,
        tlp=None if level is None else int(level),
        marking_refs=refs,
        **made.addressed(),
    )
