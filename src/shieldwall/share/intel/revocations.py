"""The revocation log as one viewer may read it: only what it could see before.

The store records a revocation when a new version changes an object's audience or a
producer deletes versions, with the audience *before* the change
(:mod:`.publish`, TAXII delete). The rule for reading it:

* a caller is told of a revocation only when the gate, asked **now** about the recorded
  *before* audience, lets it receive the object: it could see the object then, so the
  entry tells it nothing it did not know (the id, and that it changed);
* ``still_visible`` says whether the caller may still receive some version of the object
  now (read through the same gate), so a partner knows whether to drop its copy.

A caller whose organisation left a community, was suspended or moved country is judged
by the gate as it is now: such changes need no record (the gate reads the directory
afresh) and the caller is not told of them here. Hidden entries are removed before a
page is cut, so ``more`` and page boundaries reveal nothing about them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shieldwall.model.audit import AuditRecord
from shieldwall.model.identity import Principal
from shieldwall.model.intel import RevocationRecord, StoredVersion
from shieldwall.share.intel.audience import descriptor_of
from shieldwall.share.intel.read import AUDITED_LEVELS, AuditSink, IntelReader
from shieldwall.share.intel.sightings import visible_ids
from shieldwall.share.intel.validate import format_timestamp
from shieldwall.store.protocols import UnitOfWork

_FETCH = 500


@dataclass(frozen=True, slots=True)
class RevocationPage:
    """Revocations the viewer may learn of, oldest first."""

    items: list[dict[str, Any]]
    more: bool
    last_seq: int


def read_revocations(
    tx: UnitOfWork,
    reader: IntelReader,
    principal: Principal,
    *,
    after_seq: int = 0,
    after_time: datetime | None = None,
    limit: int = 100,
    keep: Callable[[RevocationRecord], bool] | None = None,
) -> RevocationPage:
    """Up to ``limit`` revocations after ``after_seq`` (and after ``after_time``, if given).

    ``keep`` narrows the log further (a caller's filter) before the page is cut, so
    ``more`` and page boundaries stay exact.
    """
    kept: list[RevocationRecord] = []
    cursor = after_seq
    while len(kept) <= limit:
        batch = tx.intel.revocations(cursor, _FETCH)
        kept.extend(
            r
            for r in batch
            if _after(r, after_time) and (keep is None or keep(r)) and _could_see(reader, r)
        )
        if len(batch) < _FETCH:
            break
        cursor = batch[-1].seq
    items = kept[:limit]
    visible = visible_ids(reader, {r.stix_id for r in items})
    _audit(reader.audit, principal, items)
    return RevocationPage(
        [_as_json(r, r.stix_id in visible) for r in items],
        len(kept) > limit,
        items[-1].seq if items else after_seq,
    )


def _after(record: RevocationRecord, after_time: datetime | None) -> bool:
    return after_time is None or record.at > after_time


def _could_see(reader: IntelReader, record: RevocationRecord) -> bool:
    return reader.viewer.decide(descriptor_of(record.stix_id, record.audience)).allowed


def _as_json(record: RevocationRecord, still_visible: bool) -> dict[str, Any]:
    found: dict[str, Any] = {
        "seq": record.seq,
        "at": format_timestamp(record.at),
        "id": record.stix_id,
        "reason": record.reason,
        "still_visible": still_visible,
    }
    if record.version is not None:
        found["version"] = format_timestamp(record.version)
    return found


def _audit(audit: AuditSink, principal: Principal, items: Sequence[RevocationRecord]) -> None:
    restricted = [
        r.stix_id for r in items if r.audience.tlp is None or r.audience.tlp in AUDITED_LEVELS
    ]
    if not restricted:
        return
    audit(
        AuditRecord(
            principal=principal.person_id,
            org_id=principal.org_id,
            action="intel.read-revocations",
            object_type="stix-object",
            object_id=restricted[0],
            detail=" ".join(restricted),
        )
    )


def align_audiences(
    tx: UnitOfWork, stored: list[StoredVersion], before: dict[str, list[StoredVersion]]
) -> None:
    """Every version takes the newest version's audience; a change is a revocation.

    The revocation names the last version the former audience could see (``version``),
    so a tombstone can be built from that version and never from the new one.
    """
    for version in stored:
        producer = version.audience.producer_org_id
        own = [v for v in before.get(version.stix_id, []) if v.audience.producer_org_id == producer]
        if not own:
            continue
        last_seen = max(own, key=lambda v: v.version)
        previous = last_seen.audience
        if not version.is_latest:
            tx.intel.set_audience(version.stix_id, previous)
        elif previous != version.audience:
            tx.intel.set_audience(version.stix_id, version.audience)
            tx.intel.add_revocation(
                version.stix_id, "audience-changed", previous, last_seen.version
            )
