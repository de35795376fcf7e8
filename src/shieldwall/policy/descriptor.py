"""What the gate needs to know about an object: markings, producer and distribution.

A descriptor is built once per stored object version (the store can keep it beside the
object) and asked about many times, so the TLP level is resolved from the pinned table
when the descriptor is made, not on every decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shieldwall.model.errors import InputError
from shieldwall.model.sharing import Addressees, TlpLevel
from shieldwall.policy.markings import most_restrictive


@dataclass(frozen=True, slots=True)
class ObjectDescriptor(Addressees):
    """The sharing facts about one object: its id, producer, markings and addressees.

    The addressees are :class:`~shieldwall.model.sharing.Addressees`. ``tlp`` is derived:
    the most restrictive pinned TLP level among the marking refs, or None when unmarked.
    """

    id: str
    producer_org_id: str
    marking_refs: tuple[str, ...] = ()
    tlp: TlpLevel | None = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tlp", most_restrictive(self.marking_refs))


def marking_refs_of(stix_object: Mapping[str, Any], *, source: str = "") -> tuple[str, ...]:
    """Every marking ref of a STIX object: object-level and granular.

    Granular markings are folded into the object's level (fail closed): an object with a
    TLP:RED description is treated as TLP:RED as a whole until a path learns to redact
    the marked parts instead.
    """
    object_id = str(stix_object.get("id", ""))
    refs = list(_string_list(stix_object, "object_marking_refs", source, object_id))
    granular = stix_object.get("granular_markings", ())
    if not isinstance(granular, list | tuple):
        raise InputError("granular_markings is not a list", source=source, place=object_id)
    for entry in granular:
        ref = entry.get("marking_ref") if isinstance(entry, Mapping) else 0
        if isinstance(ref, str):
            refs.append(ref)
        elif ref is not None:  # a malformed entry could hide a TLP:RED: refuse, never skip
            raise InputError(
                "granular marking without a valid marking_ref", source=source, place=object_id
            )
    return tuple(refs)


def _string_list(obj: Mapping[str, Any], key: str, source: str, place: str) -> tuple[str, ...]:
    value = obj.get(key, ())
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{key} is not a list of ids", source=source, place=place)
    return tuple(value)
