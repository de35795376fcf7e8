"""The revocations collection: tombstones telling a partner an object has left its view.

Partners that pull over TAXII (MISP, OpenCTI) keep what they pulled; STIX 2.1 tells them to
drop it with a new version carrying ``"revoked": true``. Each organisation gets one
collection, ``Revocations for <name>``, readable by its members only and writable by nobody.
Its objects are built from the revocation log entries the caller may learn of
(:func:`shieldwall.share.intel.revocations.read_revocations`: it could see the object
before the change) and whose object it may no longer receive now (an entry for an object
still visible, say a widened marking, would make the partner drop what it may keep).

A tombstone keeps the ``type`` and ``id``, ``spec_version`` 2.1, ``created`` and the
properties STIX requires for the type, copied from the last version stored before the
revocation (a version the caller could see, so nothing new is told), never a reference
(``*_ref``/``*_refs``: their targets may be hidden). ``modified`` is the revocation time, or
one microsecond after the last version seen when a producer dated that version later.
SROs and the SDOs that require references (report, note, opinion,
grouping) and locations (one of region, country or coordinates) therefore give tombstones a
strict parser refuses; so does a tombstone of a deleted object, of which nothing is left to
copy. Tombstones carry no marking: the former audience's marking would itself describe the
producer's change. Only SDOs and SROs support ``revoked``; entries for other types
(observables, marking definitions, extensions) are not served, nor entries whose former
audience the channel could not carry (TLP above its maximum, unmarked). ``date_added`` is the
revocation time and pages are keyset pages over the revocation log's sequence.

Filters: ``added_after``, ``match[id]``, ``match[type]``, ``match[spec_version]``;
``match[version]`` keywords are accepted and every tombstone is served (each revocation is
one version); any other filter is refused with 400.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
import stix2.v21

from shieldwall.model.errors import NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.model.intel import CollectionRecord, RevocationRecord, StoredVersion
from shieldwall.share.intel.read import IntelReader
from shieldwall.share.intel.revocations import RevocationPage, read_revocations
from shieldwall.share.intel.validate import format_timestamp, parse_timestamp
from shieldwall.share.taxii_server.context import RequestContext
from shieldwall.share.taxii_server.cursor import CursorCodec, filter_digest
from shieldwall.share.taxii_server.params import parse_plain_paging
from shieldwall.store.protocols import UnitOfWork

REVOCABLE_TYPES = frozenset(
    {
        "attack-pattern",
        "campaign",
        "course-of-action",
        "grouping",
        "identity",
        "incident",
        "indicator",
        "infrastructure",
        "intrusion-set",
        "location",
        "malware",
        "malware-analysis",
        "note",
        "observed-data",
        "opinion",
        "report",
        "threat-actor",
        "tool",
        "vulnerability",
        "relationship",
        "sighting",
    }
)
_OWN = frozenset({"type", "id", "spec_version", "created", "modified", "revoked"})
_ONE_TICK = timedelta(microseconds=1)
_PUSH_PAGE = 500
_SPEC_REQUIRED = {"indicator": ("valid_from",)}
"""Required by STIX 2.1 although the stix2 library fills them in with a default."""


@dataclass(frozen=True, slots=True)
class Tombstone:
    """One served tombstone with its ``date_added``."""

    body: dict[str, Any]
    date_added: str


@dataclass(frozen=True, slots=True)
class TombstonePage:
    """A page of tombstones and the token to continue."""

    items: list[Tombstone]
    more: bool
    next_token: str | None


def tombstone_page(
    ctx: RequestContext,
    codec: CursorCodec,
    record: CollectionRecord,
    params: Iterable[tuple[str, str]],
    endpoint: str,
    object_id: str | None = None,
) -> TombstonePage:
    """The tombstones the caller may learn of, after the ``next`` token, filtered."""
    paging = parse_plain_paging(params, "revocations")
    query = paging.query
    ids = set(query.ids) | ({object_id} if object_id else set())
    types, specs = set(query.types), set(query.spec_versions)

    def keep(entry: RevocationRecord) -> bool:
        kind = entry.stix_id.partition("--")[0]
        return (
            within_channel(entry, record.max_tlp)
            and (not ids or entry.stix_id in ids)
            and (not types or kind in types)
            and (not specs or "2.1" in specs)
        )

    digest = filter_digest([*paging.filter_parts, ("@", f"{endpoint}:{record.id}:{object_id}")])
    person = ctx.principal.person_id
    after = codec.resume(paging.next_token, person, digest) if paging.next_token else 0
    page = read_revocations(
        ctx.tx,
        ctx.reader(),
        ctx.principal,
        after_seq=after,
        after_time=query.added_after,
        limit=paging.limit,
        keep=keep,
    )
    items = _tombstones(ctx.tx, page)
    if object_id is not None and not items and after == 0 and not page.more:
        raise NotFoundError(f"object {object_id} not found")
    token = codec.issue(person, digest, page.last_seq) if page.more else None
    return TombstonePage(items, page.more, token)


def build_tombstone(
    stix_id: str, revoked_at: datetime, seen: StoredVersion | None
) -> dict[str, Any]:
    """A minimal revoked version of ``stix_id``, later than ``seen`` (the last version known)."""
    kind = stix_id.partition("--")[0]
    modified = revoked_at
    body: dict[str, Any] = {"type": kind, "spec_version": "2.1", "id": stix_id}
    if seen is not None:
        former = orjson.loads(seen.body)
        if "created" in former:
            body["created"] = former["created"]
        for name in _required(kind):
            if name in former:
                body[name] = former[name]
        modified = max(revoked_at, seen.version + _ONE_TICK)
    body["modified"] = format_timestamp(modified)
    body["revoked"] = True
    return body


def tombstones_for(
    tx: UnitOfWork,
    reader: IntelReader,
    principal: Principal,
    max_tlp: int,
    *,
    after_time: datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """Every tombstone the reader may learn of through a channel of ``max_tlp`` (pushes)."""
    after = 0
    while True:
        page = read_revocations(
            tx,
            reader,
            principal,
            after_seq=after,
            after_time=after_time,
            limit=_PUSH_PAGE,
            keep=lambda entry: within_channel(entry, max_tlp),
        )
        yield from (t.body for t in _tombstones(tx, page))
        if not page.more:
            return
        after = page.last_seq


def within_channel(entry: RevocationRecord, max_tlp: int) -> bool:
    """A revocable type whose former audience this channel could have carried.

    A channel that never carried an object (TLP above its maximum, or unmarked) does not
    announce its revocation either.
    """
    tlp = entry.audience.tlp
    kind = entry.stix_id.partition("--")[0]
    return kind in REVOCABLE_TYPES and tlp is not None and tlp <= max_tlp


def _tombstones(tx: UnitOfWork, page: RevocationPage) -> list[Tombstone]:
    gone = [i for i in page.items if not i["still_visible"]]
    held = tx.intel.versions_of({i["id"] for i in gone})
    found = []
    for item in gone:
        at = parse_timestamp(item["at"])
        named = item.get("version") if item["reason"] == "audience-changed" else None
        seen = _last_seen(held.get(item["id"], []), item["seq"], item["reason"], named)
        found.append(Tombstone(build_tombstone(item["id"], at, seen), item["at"]))
    return found


def _last_seen(
    held: list[StoredVersion], seq: int, reason: str, named: str | None
) -> StoredVersion | None:
    """The version the former audience last saw.

    For an audience change, the version the entry names (an entry naming none gives none:
    the newest stored version may be the very one that narrowed the audience); for a
    delete, the newest version stored before the entry (usually none is left).
    """
    before = [v for v in held if v.seq < seq]
    if reason == "audience-changed":
        if named is None:
            return None
        moment = parse_timestamp(named)
        before = [v for v in before if v.version == moment]
    return max(before, key=lambda v: v.version) if before else None


def _required(kind: str) -> list[str]:
    """Properties STIX 2.1 requires for ``kind`` beyond the common ones, references excepted."""
    cls = stix2.v21.OBJ_MAP.get(kind)
    if cls is None:
        return []
    required = [
        name
        for name, prop in cls._properties.items()
        if prop.required and name not in _OWN and not name.endswith(("_ref", "_refs"))
    ]
    return [*required, *_SPEC_REQUIRED.get(kind, ())]
