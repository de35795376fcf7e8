"""What a conversion needs to know about the world, and what an import gives back.

The converters are pure: the caller (the intel store, the CLI) says who imports, what MISP
distribution levels and sharing groups mean in Shieldwall terms, and which galaxy id table
to use; the converters return STIX objects with the audience facts the policy gate needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shieldwall.model.errors import InputError
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.directory import DEFAULT_UNMARKED_LEVEL
from shieldwall.share.misp.ids import GalaxyIdTable, MemoryGalaxyIdTable
from shieldwall.share.misp.limits import MispLimits


@dataclass(frozen=True, slots=True)
class SharingGroupAudience:
    """Who a known MISP sharing group stands for in Shieldwall (M4).

    Either explicit organisations, or communities, or both (then both must hold).
    """

    recipient_org_ids: frozenset[str] = frozenset()
    community_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class MispImportContext:
    """How to read MISP data for one importing organisation.

    ``owner_org_id`` is the Shieldwall organisation that imports (or owns the feed): it is
    the producer of every object and the whole audience of anything whose distribution
    cannot be resolved. ``community_id`` is what MISP distribution 1 ("this community")
    means, ``connected_community_ids`` what 2 ("connected communities") adds; left unset,
    both resolve to the owner organisation only (fail closed). ``sharing_groups`` maps
    the uuids of the sharing groups the operator has configured; any other group is
    unknown and resolves to the owner organisation only. ``unmarked_tlp`` is the owner's
    default for unmarked data: an event with no TLP tag takes it, and its parts with it
    (most MISP events carry no TLP tag; they are marked, never left unmarked and unsendable).
    """

    owner_org_id: str
    source: str = ""
    unmarked_tlp: TlpLevel = DEFAULT_UNMARKED_LEVEL
    community_id: str | None = None
    connected_community_ids: frozenset[str] = frozenset()
    sharing_groups: Mapping[str, SharingGroupAudience] = field(default_factory=dict)
    galaxy_ids: GalaxyIdTable = field(default_factory=MemoryGalaxyIdTable)
    limits: MispLimits = field(default_factory=MispLimits)


@dataclass(slots=True)
class ImportResult:
    """One MISP event as STIX 2.1 objects, with the audience of each and what went wrong.

    ``objects`` are plain STIX dicts (the marking definitions they use included);
    ``descriptors`` give each object's audience for the gate, keyed by STIX id;
    ``local_tags`` keep the event's local tags per STIX id for local use only — they are in
    no STIX object and are never exported (M11); ``problems`` are the attributes, objects
    or clusters that were skipped, each an InputError naming its place; ``attachments``
    maps attribute uuids to the base64 ``data`` MISP carried, left undecoded (M12).
    """

    event_uuid: str
    timestamp: int
    source_org_uuid: str
    objects: list[dict[str, Any]] = field(default_factory=list)
    descriptors: dict[str, ObjectDescriptor] = field(default_factory=dict)
    local_tags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    problems: list[InputError] = field(default_factory=list)
    attachments: dict[str, str] = field(default_factory=dict)

    def by_type(self, stix_type: str) -> list[dict[str, Any]]:
        """The objects of one STIX type, in output order."""
        return [obj for obj in self.objects if obj["type"] == stix_type]


@dataclass(frozen=True, slots=True)
class MispOrg:
    """A MISP organisation as an event names it (``Orgc``, ``Org``, sighting orgs)."""

    uuid: str
    name: str


@dataclass(frozen=True, slots=True)
class SharingGroupRef:
    """A sharing group on the receiving MISP side that an export may address (M14).

    ``id`` is the group's number on the receiving instance (MISP's ``sharing_group_id``);
    ``members`` are listed in an export only when the context reveals memberships (M17).
    """

    uuid: str
    name: str
    id: int
    members: tuple[MispOrg, ...] = ()


@dataclass(frozen=True, slots=True)
class MispExportContext:
    """How to write MISP for one channel (an export file, a feed, a sync partner).

    ``descriptors`` give the audience of every STIX object offered (objects without one are
    left out: unknown audience is no audience). ``include`` says whether an object may go
    to *everyone* who reads this channel; the caller builds it from the policy gate and
    the egress limit. ``orgc`` is the organisation the event is exported as when its
    producer identity does not name a MISP organisation. Sharing groups come from
    ``recipient_groups`` (keyed by the frozenset of recipient organisation ids, the
    producer included) and ``community_groups`` (keyed by community id).
    """

    descriptors: Mapping[str, ObjectDescriptor]
    orgc: MispOrg
    include: Callable[[ObjectDescriptor], bool] = lambda _descriptor: True
    recipient_groups: Mapping[frozenset[str], SharingGroupRef] = field(default_factory=dict)
    community_groups: Mapping[str, SharingGroupRef] = field(default_factory=dict)
    reveal_group_members: bool = False
    galaxy_ids: GalaxyIdTable = field(default_factory=MemoryGalaxyIdTable)
    event_uuid: str | None = None
    source: str = ""


@dataclass(slots=True)
class ExportResult:
    """A MISP event (``{"Event": …}``, or ``{}`` when nothing could be sent) and the objects
    left out, each with the reason."""

    event: dict[str, Any]
    skipped: dict[str, str] = field(default_factory=dict)
