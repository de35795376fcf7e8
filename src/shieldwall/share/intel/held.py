"""Re-sent versions and derived objects: what publishing checks against what is held.

A version is immutable (an (id, version) pair names one content forever), and a derived
object may not be marked wider than the contents it names (``policy.derived``).
"""

from __future__ import annotations

import orjson

from shieldwall.model.errors import InputError
from shieldwall.model.intel import Audience, StoredVersion
from shieldwall.policy.derived import check_derived_marking, content_refs
from shieldwall.policy.directory import Directory
from shieldwall.share.intel.audience import descriptor_of
from shieldwall.share.intel.validate import ValidObject


def other_content(item: ValidObject, own: list[StoredVersion], in_batch: str | None) -> str:
    """Why a re-sent (id, version) is refused ("" when it is the same object again).

    A version is immutable: the same id and version with other content is a mistake or a
    forgery, never silently ignored. Observables have no version of their own (their id is
    derived from their value) and are not compared.
    """
    if item.version is None:
        return ""
    bodies = [in_batch] if in_batch is not None else []
    bodies += [v.body for v in own if v.version == item.version]
    sent = orjson.loads(item.body)
    if all(orjson.loads(body) == sent for body in bodies):
        return ""
    return (
        f"version {item.version_text} of {item.stix_id} is already stored with other "
        "content; a change needs a newer modified"
    )


def already_stored(item: ValidObject, own: list[StoredVersion]) -> bool:
    if item.version is None:
        return bool(own)
    return any(v.version == item.version for v in own)


def widens_contents(
    directory: Directory,
    item: ValidObject,
    audience: Audience,
    audiences: dict[str, list[Audience]],
) -> str:
    contents = [
        descriptor_of(ref, held)
        for ref in content_refs(item.obj)
        for held in audiences.get(ref, [])
    ]
    try:
        check_derived_marking(descriptor_of(item.stix_id, audience), contents, directory)
    except InputError as exc:
        return exc.reason
    return ""
