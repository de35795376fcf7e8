"""Publishing object versions: validate, check the producer, version, address, store.

Each object is judged on its own: an invalid one is refused with the reason and the rest
of the batch goes on. The rules, in order:

1. the OASIS libraries accept it (:mod:`.validate`);
2. ``created_by_ref``, when present, is the submitter's organisation identity
   (:mod:`.identity`); otherwise the submitter is recorded as producer;
3. every marking it carries resolves: a pinned TLP id, a marking definition in the same
   batch, or one already stored;
4. only the producer publishes versions of an object: an id another organisation already
   published is refused (cyber observables, whose ids are derived from their value, are
   the exception: each organisation holds its own copy, with its own audience);
5. an (id, version) already stored is reported as present and not stored again; a new
   ``modified`` is a new version;
6. a derived object (report, grouping, note, opinion, sighting) may not be marked wider
   than the contents it names (``policy.derived``), stored or in the same batch (derived
   objects are handled after the rest of their batch for that reason).

The newest version's audience applies to every version; when it changes, a revocation is
recorded with the old audience, so those who could see the object before learn it left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shieldwall.model.audit import AuditRecord
from shieldwall.model.errors import InputError
from shieldwall.model.identity import Principal
from shieldwall.policy.derived import CONTENT_FIELDS, check_derived_marking, content_refs
from shieldwall.policy.directory import Directory
from shieldwall.policy.markings import PINNED
from shieldwall.share.intel.audience import Addressing, audience_for, descriptor_of
from shieldwall.share.intel.extract import index_terms, references
from shieldwall.share.intel.identity import identity_id
from shieldwall.share.intel.validate import ValidObject, validate
from shieldwall.store.intel_records import Audience, NewVersion, StoredVersion
from shieldwall.store.protocols import UnitOfWork


@dataclass(frozen=True, slots=True)
class Entry:
    """One object's outcome: its id, version and, for refusals, the reason."""

    id: str
    version: str
    message: str = ""


@dataclass
class PublishResult:
    """What became of each object of a batch."""

    successes: list[Entry] = field(default_factory=list)
    failures: list[Entry] = field(default_factory=list)
    stored: list[StoredVersion] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.successes) + len(self.failures)


@dataclass
class _Batch:
    principal: Principal
    addressing: Addressing
    directory: Directory
    source: str
    result: PublishResult = field(default_factory=PublishResult)
    new: list[NewVersion] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)


def publish(
    tx: UnitOfWork,
    principal: Principal,
    objects: Sequence[Any],
    addressing: Addressing,
    directory: Directory,
    *,
    source: str = "",
) -> PublishResult:
    """Store what is valid and allowed; report every object's outcome. Audited once."""
    batch = _Batch(principal, addressing, directory, source)
    valid = [v for i, c in enumerate(objects) if (v := _checked(batch, i, c)) is not None]
    stored_ids = {v.stix_id for v in valid} | _marking_refs(valid) | _content_ids(valid)
    existing = tx.intel.versions_of({v.stix_id for v in valid})
    audiences = tx.intel.latest_audiences(stored_ids)
    in_batch = {v.stix_id for v in valid if v.stix_type == "marking-definition"}
    for item in sorted(valid, key=lambda v: v.stix_type in CONTENT_FIELDS):
        _admit(batch, item, existing.get(item.stix_id, []), audiences, in_batch)
    batch.result.stored = list(tx.intel.add_versions(batch.new))
    _align_audiences(tx, batch.result.stored, existing)
    tx.audit.append(_audit(principal, batch.result, source))
    return batch.result


def _checked(batch: _Batch, index: int, candidate: Any) -> ValidObject | None:
    try:
        item = validate(candidate, source=batch.source, place=f"objects[{index}]")
    except InputError as exc:
        batch.result.failures.append(Entry(_id_of(candidate), _version_of(candidate), exc.reason))
        return None
    creator = item.obj.get("created_by_ref")
    own = identity_id(batch.principal.org_id)
    if creator is not None and creator != own:
        message = (
            f"created_by_ref {creator} is not the identity of organisation "
            f"{batch.principal.org_id} ({own}); only the producer publishes versions"
        )
        batch.result.failures.append(Entry(item.stix_id, item.version_text, message))
        return None
    return item


def _admit(
    batch: _Batch,
    item: ValidObject,
    versions: list[StoredVersion],
    audiences: dict[str, list[Audience]],
    in_batch: set[str],
) -> None:
    result, org = batch.result, batch.principal.org_id
    entry = Entry(item.stix_id, item.version_text)
    if item.stix_id in PINNED:
        result.successes.append(Entry(entry.id, entry.version, "pinned TLP definition; built in"))
        return
    refusal = _refusal(item, versions, audiences, in_batch, org)
    if refusal:
        result.failures.append(Entry(entry.id, entry.version, refusal))
        return
    own = [v for v in versions if v.audience.producer_org_id == org]
    key = (item.stix_id, item.version_text)
    if key in batch.seen or _already_stored(item, own):
        result.successes.append(Entry(entry.id, entry.version, "already present; not stored again"))
        return
    new = _new_version(batch, item, audiences)
    content_problem = _widens_contents(batch, item, new.audience, audiences)
    if content_problem:
        result.failures.append(Entry(entry.id, entry.version, content_problem))
        return
    batch.seen.add(key)
    batch.new.append(new)
    audiences.setdefault(item.stix_id, []).append(new.audience)  # derived objects later in
    # the batch are checked against contents from the same batch too
    result.successes.append(entry)


def _refusal(
    item: ValidObject,
    versions: list[StoredVersion],
    audiences: dict[str, list[Audience]],
    in_batch: set[str],
    org: str,
) -> str:
    unresolved = sorted(
        ref
        for ref in _marking_refs([item])
        if ref not in PINNED and ref not in in_batch and ref not in audiences
    )
    if unresolved:
        return f"marking {unresolved[0]} does not resolve to a known marking-definition"
    others = {v.audience.producer_org_id for v in versions} - {org}
    if others and item.version is not None:
        return f"only the producer may publish a new version of {item.stix_id}"
    return ""


def _already_stored(item: ValidObject, own: list[StoredVersion]) -> bool:
    if item.version is None:
        return bool(own)
    return any(v.version == item.version for v in own)


def _new_version(
    batch: _Batch, item: ValidObject, audiences: dict[str, list[Audience]]
) -> NewVersion:
    extra: frozenset[str] = frozenset()
    if item.stix_type == "sighting":
        sighted = audiences.get(str(item.obj.get("sighting_of_ref")), [])
        extra = frozenset(a.producer_org_id for a in sighted)
    audience = audience_for(
        item.obj,
        batch.principal.org_id,
        batch.addressing,
        extra_recipients=extra - {batch.principal.org_id},
        source=batch.source,
    )
    return NewVersion(
        stix_id=item.stix_id,
        stix_type=item.stix_type,
        version=item.version,
        spec_version=item.spec_version,
        audience=audience,
        body=item.body,
        refs=references(item.obj),
        terms=index_terms(item.obj),
    )


def _widens_contents(
    batch: _Batch, item: ValidObject, audience: Audience, audiences: dict[str, list[Audience]]
) -> str:
    contents = [
        descriptor_of(ref, held)
        for ref in content_refs(item.obj)
        for held in audiences.get(ref, [])
    ]
    try:
        check_derived_marking(descriptor_of(item.stix_id, audience), contents, batch.directory)
    except InputError as exc:
        return exc.reason
    return ""


def _align_audiences(
    tx: UnitOfWork, stored: list[StoredVersion], before: dict[str, list[StoredVersion]]
) -> None:
    """Every version takes the newest version's audience; a change is a revocation."""
    for version in stored:
        producer = version.audience.producer_org_id
        own = [v for v in before.get(version.stix_id, []) if v.audience.producer_org_id == producer]
        if not own:
            continue
        previous = max(own, key=lambda v: v.version).audience
        if not version.is_latest:
            tx.intel.set_audience(version.stix_id, previous)
        elif previous != version.audience:
            tx.intel.set_audience(version.stix_id, version.audience)
            tx.intel.add_revocation(version.stix_id, "audience-changed", previous)


def _marking_refs(items: Sequence[ValidObject]) -> set[str]:
    refs: set[str] = set()
    for item in items:
        refs.update(item.obj.get("object_marking_refs") or ())
        for granular in item.obj.get("granular_markings") or ():
            if isinstance(granular, dict) and isinstance(granular.get("marking_ref"), str):
                refs.add(granular["marking_ref"])
    return refs


def _content_ids(items: Sequence[ValidObject]) -> set[str]:
    found: set[str] = set()
    for item in items:
        found.update(content_refs(item.obj))
        if item.stix_type == "sighting":
            found.add(str(item.obj.get("sighting_of_ref")))
    return found


def _id_of(candidate: Any) -> str:
    ident = candidate.get("id") if isinstance(candidate, dict) else None
    return ident if isinstance(ident, str) else ""


def _version_of(candidate: Any) -> str:
    if not isinstance(candidate, dict):
        return ""
    value = candidate.get("modified") or candidate.get("created") or ""
    return value if isinstance(value, str) else ""


def _audit(principal: Principal, result: PublishResult, source: str) -> AuditRecord:
    return AuditRecord(
        principal=principal.person_id,
        org_id=principal.org_id,
        action="intel.publish",
        object_type="stix-batch",
        object_id=source or "-",
        detail=f"stored {len(result.stored)}, accepted {len(result.successes)}, "
        f"refused {len(result.failures)}",
    )
