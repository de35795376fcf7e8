"""Sightings: who sees them, what others may count, and how they move an indicator's score.

A sighting is a STIX ``sighting`` stored like every other object (:mod:`.publish`): unmarked
it is TLP:AMBER+STRICT of the submitter, addressed to the sighted object's producer, so
the indicator's producer receives each sighting in full through the gate (``where_sighted_refs``
and the submitter included) and nobody else does. A TLP:RED sighting goes to its named
people only, the producer's people included only when named.

Everyone else who may see the indicator gets, by default, an **anonymised aggregate**: the
number of sightings, the sum of their ``count``, how many distinct organisations reported,
the false positives, the earliest ``first_seen`` and latest ``last_seen`` — never an
organisation, never ``where_sighted_refs``. The aggregate (and the score) is computed only
over the sightings the viewer may *count* (:func:`countable`):

* a sighting the viewer may receive in full is countable;
* otherwise it is countable when it is not TLP:RED (RED is hidden from counts, per
  ``tlp-policy.md``) and its distribution limits admit the viewer: the communities it was
  addressed to and its ``REL TO`` countries still apply, its TLP level does not (the
  aggregate reveals no more than that *someone* saw it, and only to those who see the
  indicator).

Setting ``anonymised_counts`` False turns the second rule off: viewers then count only the
sightings they may receive in full.

Submitting: a sighting must sight an object the submitter may see now, or one published in
the same batch; any other target (hidden or absent, alike) is refused with one message, so
a refusal reveals nothing about objects the submitter may not see (:func:`unseen_targets`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson

from shieldwall.model.identity import Principal
from shieldwall.model.intel import IntelQuery, StoredVersion, VersionSelector
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.directory import Directory
from shieldwall.policy.gate import Viewer
from shieldwall.policy.markings import TLP_GREEN
from shieldwall.share.intel.audience import descriptor_of
from shieldwall.share.intel.extract import pattern_terms
from shieldwall.share.intel.identity import member_identities
from shieldwall.share.intel.org_viewer import org_viewer_of
from shieldwall.share.intel.read import IntelReader
from shieldwall.share.intel.scoring import Score, SightingFact, score_indicator
from shieldwall.share.intel.validate import format_timestamp, parse_timestamp
from shieldwall.store.protocols import UnitOfWork

REFUTING_FLAGS = ("x_shieldwall_false_positive", "x_opencti_negative")
UNSEEN_TARGET = "sighting_of_ref {ref} is not an object you may see"


@dataclass(frozen=True, slots=True)
class SightingSummary:
    """The anonymised aggregate of the sightings of one object a viewer may count."""

    sightings: int = 0
    count: int = 0
    organisations: int = 0
    false_positives: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        """The ``x_shieldwall_sightings`` property served beside an indicator."""
        found: dict[str, Any] = {
            "sightings": self.sightings,
            "count": self.count,
            "organisations": self.organisations,
            "false_positives": self.false_positives,
        }
        if self.first_seen is not None:
            found["first_seen"] = format_timestamp(self.first_seen)
        if self.last_seen is not None:
            found["last_seen"] = format_timestamp(self.last_seen)
        return found


@dataclass(frozen=True, slots=True)
class Sighting:
    """What the read side needs of one stored sighting."""

    org_id: str
    count: int
    first_seen: datetime
    last_seen: datetime
    refutes: bool


def countable(viewer: Viewer, sighting: StoredVersion, *, anonymised_counts: bool = True) -> bool:
    """May the viewer count this sighting (see the module docstring)?"""
    descriptor = descriptor_of(sighting.stix_id, sighting.audience)
    if viewer.decide(descriptor).allowed:
        return True
    if not anonymised_counts or descriptor.tlp is None or descriptor.tlp is TlpLevel.RED:
        return False
    limits = ObjectDescriptor(
        sighting.stix_id,
        sighting.audience.producer_org_id,
        (TLP_GREEN.id,),
        community_ids=sighting.audience.community_ids,
        releasable_to=sighting.audience.releasable_to,
    )
    return viewer.decide(limits).allowed


def countable_sightings(
    tx: UnitOfWork, viewer: Viewer, stix_id: str, *, anonymised_counts: bool = True
) -> list[Sighting]:
    """The latest version of every sighting of ``stix_id`` the viewer may count."""
    found = countable_sightings_of(tx, viewer, [stix_id], anonymised_counts=anonymised_counts)
    return found.get(stix_id, [])


def countable_sightings_of(
    tx: UnitOfWork, viewer: Viewer, stix_ids: Collection[str], *, anonymised_counts: bool = True
) -> dict[str, list[Sighting]]:
    """:func:`countable_sightings` for a whole page of ids in one store call (id -> sightings;
    an id nobody sighted is absent), so serving a page costs the same queries at any size."""
    held = tx.intel.with_terms("sighting-of", stix_ids, "sighting")
    return {
        stix_id: [
            sighting_of(row)
            for row in rows
            if countable(viewer, row, anonymised_counts=anonymised_counts)
        ]
        for stix_id, rows in held.items()
    }


def sighting_of(row: StoredVersion) -> Sighting:
    """The facts of a stored sighting (``count`` 1 and the version's instant by default)."""
    obj = orjson.loads(row.body)
    count = obj.get("count")
    first = _instant(obj.get("first_seen"), row.version)
    last = _instant(obj.get("last_seen"), first)
    refutes = any(obj.get(flag) is True for flag in REFUTING_FLAGS)
    return Sighting(
        org_id=row.audience.producer_org_id,
        count=count if isinstance(count, int) and count >= 0 else 1,
        first_seen=first,
        last_seen=last,
        refutes=refutes,
    )


def summarise(sightings: Sequence[Sighting]) -> SightingSummary:
    """The anonymised aggregate of some sightings."""
    if not sightings:
        return SightingSummary()
    return SightingSummary(
        sightings=len(sightings),
        count=sum(s.count for s in sightings),
        organisations=len({s.org_id for s in sightings}),
        false_positives=sum(1 for s in sightings if s.refutes),
        first_seen=min(s.first_seen for s in sightings),
        last_seen=max(s.last_seen for s in sightings),
    )


def indicator_score(
    indicator: Mapping[str, Any], version: datetime, sightings: Iterable[Sighting], now: datetime
) -> Score:
    """The indicator's score now from the sightings the viewer may count (:mod:`.scoring`)."""
    confidence = indicator.get("confidence")
    base = confidence if isinstance(confidence, int) else None
    facts = [SightingFact(s.org_id, s.last_seen, s.refutes) for s in sightings]
    return score_indicator(base, version, facts, observable_kind(indicator), now)


def observable_kind(indicator: Mapping[str, Any]) -> str:
    """The kind of the first observable an indicator's pattern compares ('' when none)."""
    if indicator.get("pattern_type") != "stix":
        return ""
    return _pattern_kind(str(indicator.get("pattern", "")))


@lru_cache(maxsize=262_144)
def _pattern_kind(pattern: str) -> str:
    """Parsed once per pattern: every watchlist build scores every indicator it holds."""
    try:
        first = next(iter(pattern_terms(pattern)), None)
    except (ValueError, TypeError):  # stored patterns were validated; be safe on read
        return ""
    return first.kind if first is not None else ""


def annotate(
    obj: dict[str, Any], version: datetime, sightings: Sequence[Sighting], now: datetime
) -> dict[str, Any]:
    """An indicator with its score, decayed validity and sighting aggregate added."""
    score = indicator_score(obj, version, sightings, now)
    obj["x_shieldwall_score"] = round(score.score, 2)
    obj["x_shieldwall_valid_until"] = format_timestamp(score.valid_until)
    obj["x_shieldwall_sightings"] = summarise(sightings).as_json()
    return obj


def unseen_targets(reader: IntelReader, objects: Sequence[Any]) -> dict[int, str]:
    """Sightings (by position) whose target the submitter may not see: index -> reason.

    The target is acceptable when another object of the same batch has its id (the
    batch publishes it) or the submitter may receive some version of it now; hidden
    and absent targets get the same reason. Build ``reader`` with ``audit_pages=False``:
    this looks, it serves nothing.
    """
    in_batch = {
        obj.get("id") for obj in objects if isinstance(obj, dict) and obj.get("type") != "sighting"
    }
    wanted = {
        index: obj.get("sighting_of_ref")
        for index, obj in enumerate(objects)
        if isinstance(obj, dict) and obj.get("type") == "sighting"
    }
    targets = {ref for ref in wanted.values() if isinstance(ref, str) and ref not in in_batch}
    visible = visible_ids(reader, targets)
    return {
        index: UNSEEN_TARGET.format(ref=ref)
        for index, ref in wanted.items()
        if isinstance(ref, str) and ref not in in_batch and ref not in visible
    }


def unseen_for_publisher(
    tx: UnitOfWork,
    principal: Principal,
    directory: Directory,
    viewer: Viewer | None,
    objects: Sequence[Any],
) -> dict[int, str]:
    """:func:`unseen_targets` for whoever publishes: the person's own viewer when the
    request has one (TAXII, REST), else the organisation's (imports, feeds, MISP), so no
    path can store a sighting of an object its submitter may not see."""
    chosen = publisher_viewer(principal, directory, viewer)
    reader = IntelReader(
        tx, chosen, principal, public_refs=member_identities(tx), audit_pages=False
    )
    return unseen_targets(reader, objects)


def publisher_viewer(principal: Principal, directory: Directory, viewer: Viewer | None) -> Viewer:
    """Whose eyes a write is judged with: the person's viewer when the request has one
    (TAXII, REST), else the organisation's (imports, feeds, MISP)."""
    return viewer if viewer is not None else org_viewer_of(directory, principal.org_id)


def visible_ids(reader: IntelReader, ids: Iterable[str]) -> set[str]:
    """The ids among ``ids`` the reader's viewer may receive now (some version, via the gate)."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    query = IntelQuery(ids=tuple(wanted), versions=frozenset({VersionSelector.ALL}))
    found: set[str] = set()
    after = 0
    while True:
        page = reader.page(query, after_seq=after, limit=1000)
        found.update(item.stix_id for item in page.items)
        if not page.more:
            return found
        after = page.last_seq


def _instant(value: Any, default: datetime) -> datetime:
    if not isinstance(value, str):
        return default
    try:
        return parse_timestamp(value)
    except ValueError:
        return default
