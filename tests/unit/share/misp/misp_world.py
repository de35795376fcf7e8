"""Shared fixtures for the MISP tests: the phishing event, contexts and a validator."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import stix2validator

from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.share.misp import (
    ImportResult,
    MemoryGalaxyIdTable,
    MispExportContext,
    MispImportContext,
    MispOrg,
    SharingGroupAudience,
    SharingGroupRef,
    misp_event_to_stix,
)

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "misp"
OWNER = "cert-a"
EXPORTER = MispOrg("9d0a1c2b-0000-4000-8000-00000000e001", "Shieldwall centre")
KNOWN_SG = "22222222-0000-4000-8000-000000000002"
KNOWN_SG_ORGS = frozenset({"cert-a", "cert-b"})


def phishing_event() -> dict[str, Any]:
    """A fresh copy of the realistic fixture event."""
    return copy.deepcopy(json.loads((FIXTURES / "event_phishing.json").read_text()))


def import_context(**changes: Any) -> MispImportContext:
    """The importing organisation cert-a, with one known sharing group and a community."""
    settings: dict[str, Any] = {
        "owner_org_id": OWNER,
        "community_id": "federation",
        "connected_community_ids": frozenset({"partners"}),
        "sharing_groups": {KNOWN_SG: SharingGroupAudience(recipient_org_ids=KNOWN_SG_ORGS)},
    }
    settings.update(changes)
    return MispImportContext(**settings)


def imported(event: dict[str, Any] | None = None, **changes: Any) -> ImportResult:
    """The fixture (or the given event) imported with :func:`import_context`."""
    return misp_event_to_stix(event or phishing_event(), context=import_context(**changes))


def export_context(descriptors: dict[str, ObjectDescriptor], **changes: Any) -> MispExportContext:
    """Export as the centre, with a sharing group for cert-a + cert-b."""
    settings: dict[str, Any] = {
        "descriptors": descriptors,
        "orgc": EXPORTER,
        "recipient_groups": {KNOWN_SG_ORGS: SharingGroupRef(KNOWN_SG, "A and B", 7)},
        "galaxy_ids": MemoryGalaxyIdTable(),
    }
    settings.update(changes)
    return MispExportContext(**settings)


def validation_errors(objects: list[dict[str, Any]]) -> list[str]:
    """stix2-validator errors (not warnings) for a bundle of these objects."""
    bundle = {
        "type": "bundle",
        "id": "bundle--0b2f6a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
        "objects": objects,
    }
    result = stix2validator.validate_instance(bundle, stix2validator.ValidationOptions())
    return [str(error) for error in result.errors]


def by_id(result: ImportResult) -> dict[str, dict[str, Any]]:
    """The imported objects keyed by id."""
    return {obj["id"]: obj for obj in result.objects}
