"""The state of one event's conversion: where we are, what was made, and its audience.

Converters for attributes, objects, galaxies and analyst data all add their STIX objects
through :class:`EventScope`, which stamps the producer (``created_by_ref``, M24) and the
pinned TLP marking, records the gate descriptor, and remembers which STIX id each MISP
uuid became so references (``ObjectReference``, sightings) can be resolved afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shieldwall.model.errors import InputError
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.markings import TLP2_BY_LEVEL
from shieldwall.share.misp.audience import Audience, descriptor
from shieldwall.share.misp.context import ImportResult, MispImportContext
from shieldwall.share.misp.tags import TagSet


@dataclass(frozen=True, slots=True)
class Sharing:
    """The audience and tags an entity has after inheriting from its parents."""

    audience: Audience
    tags: TagSet


@dataclass(slots=True)
class EventScope:
    """One event being converted."""

    context: MispImportContext
    result: ImportResult
    creator_id: str
    report_id: str
    event_time: str
    sharing: Sharing
    stix_by_misp_uuid: dict[str, str] = field(default_factory=dict)
    _positions: dict[str, int] = field(default_factory=dict)

    @property
    def limits_value(self) -> int:
        """The longest value an attribute may carry."""
        return self.context.limits.max_value_chars

    def add(
        self, obj: dict[str, Any], sharing: Sharing, *, creator: str | None = "", sco: bool = False
    ) -> str:
        """Add a STIX object with its marking, producer and descriptor; returns its id.

        ``creator`` "" means the event's producer; None leaves ``created_by_ref`` out
        (anonymous sightings). SCOs carry no ``created_by_ref``. An SCO added twice with
        different audiences keeps the narrower of both (fail closed).
        """
        stix_id = str(obj["id"])
        level = sharing.tags.tlp
        if level is not None:
            obj["object_marking_refs"] = [TLP2_BY_LEVEL[level].id]
            self._use_marking(level)
        if not sco and creator is not None:
            obj["created_by_ref"] = creator or self.creator_id
        made = descriptor(stix_id, sharing.audience, level, self.context)
        if stix_id in self._positions:
            self._narrow(stix_id, made)
            return stix_id
        self._positions[stix_id] = len(self.result.objects)
        self.result.objects.append(obj)
        self.result.descriptors[stix_id] = made
        if sharing.tags.local:
            self.result.local_tags[stix_id] = sharing.tags.local
        return stix_id

    def add_plain(self, obj: dict[str, Any], made: ObjectDescriptor) -> str:
        """Add an object whose descriptor the caller computed (sightings)."""
        stix_id = str(obj["id"])
        if stix_id not in self._positions:
            self._positions[stix_id] = len(self.result.objects)
            self.result.objects.append(obj)
            self.result.descriptors[stix_id] = made
        return stix_id

    def narrowest(self, *stix_ids: str) -> Sharing:
        """Sharing no wider than any of the given objects (for links between them)."""
        made = [self.result.descriptors[i] for i in stix_ids if i in self.result.descriptors]
        audience = self.sharing.audience
        level: TlpLevel | None = self.sharing.tags.tlp
        unmarked = level is None
        for one in made:
            audience = audience.intersect(_audience_of(one))
            unmarked = unmarked or one.tlp is None
            level = one.tlp if level is None or (one.tlp is not None and one.tlp > level) else level
        return Sharing(audience, TagSet(tlp=None if unmarked else level))

    def problem(self, error: InputError) -> None:
        """Record a skipped part; the rest of the event goes on."""
        self.result.problems.append(error)

    def isolated(self, convert: Callable[..., object], *args: Any) -> None:
        """Run one part's conversion; an InputError skips that part only (per-part isolation:
        a bad cluster, sighting or note never takes its event or its neighbours with it)."""
        try:
            convert(self, *args)
        except InputError as error:
            self.problem(error)

    def _use_marking(self, level: TlpLevel) -> None:
        marking = TLP2_BY_LEVEL[level]
        if marking.id not in self._positions:
            self._positions[marking.id] = len(self.result.objects)
            self.result.objects.append(dict(marking.canonical))
            self.result.descriptors[marking.id] = ObjectDescriptor(
                marking.id, self.context.owner_org_id, (TLP2_BY_LEVEL[TlpLevel.CLEAR].id,)
            )

    def _narrow(self, stix_id: str, made: ObjectDescriptor) -> None:
        old = self.result.descriptors[stix_id]
        # an unmarked side takes the producer's default, which is never open: keep it unmarked
        level = None if old.tlp is None or made.tlp is None else max(old.tlp, made.tlp)
        refs = (TLP2_BY_LEVEL[level].id,) if level is not None else ()
        audience = _audience_of(old).intersect(_audience_of(made))
        narrowed = descriptor(stix_id, audience, level, self.context)
        self.result.descriptors[stix_id] = narrowed
        obj = self.result.objects[self._positions[stix_id]]
        if refs:
            obj["object_marking_refs"] = list(refs)
        else:
            obj.pop("object_marking_refs", None)


def _audience_of(made: ObjectDescriptor) -> Audience:
    return Audience(made.recipient_org_ids or None, made.community_ids or None)
