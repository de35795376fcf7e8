"""Publishing object versions: validate, check the producer, version, address, store.

Each object is judged on its own: an invalid one is refused with the reason and the rest
of the batch goes on. The rules, in order:

1. the OASIS libraries accept it (:mod:`.validate`);
2. ``created_by_ref``, when present, is the submitter's organisation identity
   (:mod:`.identity`); otherwise the submitter is recorded as producer;
3. every marking it carries resolves: a pinned TLP id, a marking definition in the same
   batch, or one already stored;
4. only the producer publishes versions of an object: an id another organisation already
   published, *and the submitter can see*, is refused unless the submitter holds its own
   copy (cyber observables, whose ids are derived from their value, are the exception:
   each organisation holds its own copy, with its own audience); no member publishes an
   ``identity`` with another member's identity id, on any path;
5. an (id, version) already stored is reported as present and not stored again, or refused
   when its content differs (a version never changes); a new ``modified`` is a new version;
6. unmarked contents of a marked container of the same author take its TLP
   (:mod:`.inherit`: MISP marks only the container); a derived object (report, grouping,
   note, opinion, sighting) may not be marked wider than the contents it names
   (``policy.derived``), stored or in the same batch (derived objects are handled after
   the rest of their batch for that reason).

Every rule is judged on what the submitter may see, never on what is stored: a version,
a marking definition or a content object hidden from the submitter counts as absent, so
no answer — status, reason, count, side effect — tells "hidden from you" from "absent"
(issue 9: the write-path oracle). A hidden id is then held as the submitter's own copy,
as an absent one would be, visible to the submitter's audience only.

The newest version's audience applies to every version; when it changes, a revocation is
recorded with the old audience, so those who could see the object before learn it left.

Two entry points: :func:`publish` for a member speaking for itself (TAXII POST, REST), and
:func:`publish_received` for what a member brings in from elsewhere (``intel import``, MISP,
pulled feeds). The second keeps the objects' own ``created_by_ref`` as provenance, takes
an audience per object (:class:`Submission`; MISP distributions and sharing groups give
one) and holds external objects per receiving organisation; :mod:`.provenance` says how
rules 2 and 4 read for it and how galaxy cluster SDOs are versioned.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shieldwall.model.errors import InputError
from shieldwall.model.identity import Principal
from shieldwall.model.intel import Audience, NewVersion, StoredVersion
from shieldwall.policy.derived import CONTENT_FIELDS
from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.policy.directory import Directory
from shieldwall.policy.gate import Viewer
from shieldwall.policy.markings import PINNED
from shieldwall.share.intel import held, provenance
from shieldwall.share.intel.audience import Addressing, audience_for
from shieldwall.share.intel.identity import member_identities
from shieldwall.share.intel.inherit import inherited_markings
from shieldwall.share.intel.outcome import Entry, PublishResult, Submission, audit_record
from shieldwall.share.intel.pattern_budget import PatternBudget
from shieldwall.share.intel.revocations import align_audiences
from shieldwall.share.intel.sightings import publisher_viewer, unseen_for_publisher
from shieldwall.share.intel.submitted import (
    content_ids_in,
    described_audience,
    id_of,
    marking_refs_in,
    version_text_of,
)
from shieldwall.share.intel.submitter_view import visible_audiences, visible_versions
from shieldwall.share.intel.validate import ValidObject, validate
from shieldwall.store.protocols import UnitOfWork

__all__ = ["Entry", "PublishResult", "Submission", "publish", "publish_received"]


@dataclass(frozen=True, slots=True)
class _Item:
    valid: ValidObject
    descriptor: ObjectDescriptor | None
    external: bool
    inherited: tuple[str, ...] = ()
    """TLP marking ids taken from a marked container in the batch (:mod:`.inherit`)."""

    @property
    def stix_id(self) -> str:
        return self.valid.stix_id


@dataclass
class _Batch:
    principal: Principal
    addressing: Addressing
    directory: Directory
    source: str
    members: frozenset[str] | None = None
    """Member identities when receiving (None: publishing, the member speaks for itself)."""
    viewer: Viewer | None = None
    """The person's viewer when a request has one; else the organisation's is used."""
    identities: frozenset[str] = frozenset()
    """Every member organisation's identity id (public: members know their peers)."""
    budget: PatternBudget = field(default_factory=PatternBudget)
    checked: Sequence[ValidObject | InputError] | None = None
    """The objects already validated, outside the transaction (same order)."""
    """The request's pattern budget: one member buys no more parsing than its share."""
    inherited: dict[str, tuple[str, ...]] = field(default_factory=dict)
    result: PublishResult = field(default_factory=PublishResult)
    new: list[NewVersion] = field(default_factory=list)
    seen: dict[tuple[str, str], str] = field(default_factory=dict)
    """(id, version) stored by this batch → the body stored."""


def publish(
    tx: UnitOfWork,
    principal: Principal,
    objects: Sequence[Any],
    addressing: Addressing,
    directory: Directory,
    *,
    source: str = "",
    viewer: Viewer | None = None,
    checked: Sequence[ValidObject | InputError] | None = None,
) -> PublishResult:
    """Store what is valid and allowed; report every object's outcome. Audited once.

    ``checked`` is :func:`~.validate.validate_all` of ``objects``, done before the
    transaction opened; without it each object is validated here.
    """
    batch = _Batch(principal, addressing, directory, source, viewer=viewer)
    batch.checked = checked
    batch.identities = member_identities(tx)
    return _run(tx, batch, [Submission(obj) for obj in objects])


def publish_received(
    tx: UnitOfWork,
    principal: Principal,
    submissions: Sequence[Submission],
    directory: Directory,
    *,
    source: str = "",
    addressing: Addressing | None = None,
    viewer: Viewer | None = None,
) -> PublishResult:
    """Store what the principal's organisation received from elsewhere (see module doc)."""
    members = member_identities(tx)
    batch = _Batch(principal, addressing or Addressing(), directory, source, members, viewer)
    batch.identities = members
    return _run(tx, batch, submissions)


def _run(tx: UnitOfWork, batch: _Batch, submissions: Sequence[Submission]) -> PublishResult:
    objects = [submission.obj for submission in submissions]
    batch.inherited = inherited_markings(objects)
    viewer = publisher_viewer(batch.principal, batch.directory, batch.viewer)
    unseen = unseen_for_publisher(tx, batch.principal, batch.directory, viewer, objects)
    for index, reason in sorted(unseen.items()):
        batch.result.failures.append(
            Entry(id_of(objects[index]), version_text_of(objects[index]), reason)
        )
    checked = (_checked(batch, i, s) for i, s in enumerate(submissions) if i not in unseen)
    items = [item for item in checked if item is not None]
    valid = [item.valid for item in items]
    stored_ids = {v.stix_id for v in valid} | marking_refs_in(valid) | content_ids_in(valid)
    existing = visible_versions(viewer, tx.intel.versions_of({v.stix_id for v in valid}))
    audiences = visible_audiences(viewer, tx.intel.latest_audiences(stored_ids))
    in_batch = {v.stix_id for v in valid if v.stix_type == "marking-definition"}
    for item in sorted(items, key=lambda i: i.valid.stix_type in CONTENT_FIELDS):
        _admit(tx, batch, item, existing.get(item.stix_id, []), audiences, in_batch)
    batch.result.stored = list(tx.intel.add_versions(batch.new))
    align_audiences(tx, batch.result.stored, existing)
    tx.audit.append(audit_record(batch.principal, batch.result, batch.source))
    return batch.result


def _checked(batch: _Batch, index: int, submission: Submission) -> _Item | None:
    candidate = submission.obj
    try:
        item = _validated(batch, index, candidate)
    except InputError as exc:
        batch.result.failures.append(
            Entry(id_of(candidate), version_text_of(candidate), exc.reason)
        )
        return None
    org = batch.principal.org_id
    problem = provenance.author_problem(item.obj, org, batch.identities, batch.members)
    made = submission.descriptor
    if not problem and made is not None and made.producer_org_id != org:
        problem = f"its audience names producer {made.producer_org_id}, not {org}"
    if problem:
        batch.result.failures.append(Entry(item.stix_id, item.version_text, problem))
        return None
    external = batch.members is not None and provenance.is_external(item.obj, org)
    inherited = batch.inherited.get(item.stix_id, ())
    if inherited and made is not None and not made.marking_refs:
        made = dataclasses.replace(made, marking_refs=inherited)
    return _Item(item, made, external, inherited)


def _validated(batch: _Batch, index: int, candidate: Any) -> ValidObject:
    if batch.checked is None:
        return validate(
            candidate, source=batch.source, place=f"objects[{index}]", budget=batch.budget
        )
    found = batch.checked[index]
    if isinstance(found, InputError):
        raise found
    return found


def _admit(
    tx: UnitOfWork,
    batch: _Batch,
    item: _Item,
    versions: list[StoredVersion],
    audiences: dict[str, list[Audience]],
    in_batch: set[str],
) -> None:
    result, org, valid = batch.result, batch.principal.org_id, item.valid
    entry = Entry(valid.stix_id, valid.version_text)
    if valid.stix_id in PINNED:
        result.successes.append(Entry(entry.id, entry.version, "pinned TLP definition; built in"))
        return
    refusal = _refusal(item, versions, audiences, in_batch, org)
    if refusal:
        result.failures.append(Entry(entry.id, entry.version, refusal))
        return
    own = [v for v in versions if v.audience.producer_org_id == org]
    key = (valid.stix_id, valid.version_text)
    if key in batch.seen or held.already_stored(valid, own):
        clash = held.other_content(valid, own, batch.seen.get(key))
        if clash:
            result.failures.append(Entry(entry.id, entry.version, clash))
            return
        result.successes.append(Entry(entry.id, entry.version, "already present; not stored again"))
        return
    new = _new_version(batch, item, audiences)
    if provenance.cluster_kept(valid.obj, new.audience, own, batch.directory, tx):
        result.successes.append(Entry(entry.id, entry.version, "galaxy cluster unchanged; kept"))
        return
    content_problem = held.widens_contents(batch.directory, valid, new.audience, audiences)
    if content_problem:
        result.failures.append(Entry(entry.id, entry.version, content_problem))
        return
    batch.seen[key] = valid.body
    batch.new.append(new)
    audiences.setdefault(item.stix_id, []).append(new.audience)  # derived objects later in
    # the batch are checked against contents from the same batch too
    result.successes.append(entry)


def _refusal(
    item: _Item,
    versions: list[StoredVersion],
    audiences: dict[str, list[Audience]],
    in_batch: set[str],
    org: str,
) -> str:
    unresolved = sorted(
        ref
        for ref in marking_refs_in([item.valid])
        if ref not in PINNED and ref not in in_batch and ref not in audiences
    )
    if unresolved:
        return f"marking {unresolved[0]} does not resolve to a known marking-definition"
    others = [v for v in versions if v.audience.producer_org_id != org]
    if not others or len(others) < len(versions) or item.valid.version is None:
        return ""  # nobody else's that it can see, or it holds its own copy already
    if item.external and not any(provenance.member_authored(v) for v in others):
        return ""  # an external object: every receiver holds its own copy
    return f"only the producer may publish a new version of {item.stix_id}"


def _new_version(
    batch: _Batch, submitted: _Item, audiences: dict[str, list[Audience]]
) -> NewVersion:
    item = submitted.valid
    if submitted.descriptor is not None:
        audience = described_audience(item, submitted.descriptor, batch.source)
    else:
        extra: frozenset[str] = frozenset()
        if item.stix_type == "sighting":
            sighted = audiences.get(str(item.obj.get("sighting_of_ref")), [])
            extra = frozenset(a.producer_org_id for a in sighted)
        marked = {**item.obj, "object_marking_refs": list(submitted.inherited)}
        audience = audience_for(
            marked if submitted.inherited else item.obj,
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
        refs=item.refs,
        terms=item.terms,
    )
