"""A member reports a sighting: build the STIX ``sighting`` and publish it like TAXII does.

The REST API and TAXII take the same path: the sighting is a STIX object published by the
submitter's organisation through :func:`~shieldwall.share.intel.publish.publish` (same
validation, default audience — TLP:AMBER+STRICT of the submitter, addressed to the sighted
object's producer — and derived-object check), after the same target check as TAXII
(:func:`~shieldwall.share.intel.sightings.unseen_targets`): the submitter must be able to
see what it sighted, and a hidden target is refused exactly like an absent one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shieldwall.model.errors import InputError, NotFoundError
from shieldwall.model.identity import Principal
from shieldwall.policy.directory import Directory
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.identity import identity_id
from shieldwall.share.intel.publish import PublishResult, publish
from shieldwall.share.intel.read import IntelReader
from shieldwall.share.intel.sightings import unseen_targets
from shieldwall.share.intel.validate import format_timestamp
from shieldwall.store.protocols import UnitOfWork


@dataclass(frozen=True, slots=True)
class SightingReport:
    """What a member says it saw; ``where`` are identity or location ids (default: itself)."""

    sighting_of_ref: str
    count: int = 1
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    where: tuple[str, ...] = ()
    false_positive: bool = False
    marking_refs: tuple[str, ...] = ()
    description: str = ""
    recipient_org_ids: frozenset[str] = field(default_factory=frozenset)


def sighting_object(report: SightingReport, org_id: str, now: datetime) -> dict[str, Any]:
    """The STIX 2.1 sighting the report stands for, produced by the organisation."""
    stamp = format_timestamp(now.astimezone(UTC))
    own = identity_id(org_id)
    obj: dict[str, Any] = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": f"sighting--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        "created_by_ref": own,
        "sighting_of_ref": report.sighting_of_ref,
        "count": report.count,
        "where_sighted_refs": list(report.where or (own,)),
    }
    if report.first_seen is not None:
        obj["first_seen"] = format_timestamp(report.first_seen)
    if report.last_seen is not None:
        obj["last_seen"] = format_timestamp(report.last_seen)
    if report.false_positive:
        obj["x_shieldwall_false_positive"] = True
    if report.marking_refs:
        obj["object_marking_refs"] = list(report.marking_refs)
    if report.description:
        obj["description"] = report.description
    return obj


def submit_sighting(
    tx: UnitOfWork,
    principal: Principal,
    directory: Directory,
    reader: IntelReader,
    report: SightingReport,
    now: datetime,
) -> tuple[dict[str, Any], PublishResult]:
    """Publish the sighting; NotFoundError for an unseen target, InputError if refused."""
    obj = sighting_object(report, principal.org_id, now)
    if unseen_targets(reader, [obj]):
        raise NotFoundError(f"object {report.sighting_of_ref} not found")
    addressing = Addressing(recipient_org_ids=report.recipient_org_ids)
    result = publish(
        tx, principal, [obj], addressing, directory, source="api:sightings", viewer=reader.viewer
    )
    if result.failures:
        raise InputError(result.failures[0].message, place="sighting")
    return obj, result
