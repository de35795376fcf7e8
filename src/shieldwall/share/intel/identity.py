"""Which STIX identity speaks for which organisation.

Every organisation has exactly one STIX identity, whose id is derived from the
organisation id: ``identity--`` + UUIDv5(:data:`IDENTITY_NAMESPACE`, ``org_id``). The id is
deterministic, so every Shieldwall server (and every partner who knows the rule) computes
the same identity for the same member without a lookup table, and an organisation cannot
claim another's identity: ``created_by_ref`` on a submitted object must equal the
submitter's identity id or the object is refused (only the producer publishes versions).
"""

from __future__ import annotations

import uuid
from typing import Any

from shieldwall.model.identity import Organisation
from shieldwall.store.protocols import UnitOfWork

IDENTITY_NAMESPACE = uuid.UUID("6f1c2a52-3c2e-5b8e-9d0a-5368696c6477")
"""Fixed namespace of Shieldwall organisation identities (never change it)."""

IDENTITY_CREATED = "2020-01-01T00:00:00.000Z"


def identity_id(org_id: str) -> str:
    """The STIX identity id of an organisation."""
    return f"identity--{uuid.uuid5(IDENTITY_NAMESPACE, org_id)}"


def identity_object(org: Organisation) -> dict[str, Any]:
    """The organisation's STIX identity object (stable: same input, same object)."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": identity_id(org.id),
        "created": IDENTITY_CREATED,
        "modified": IDENTITY_CREATED,
        "name": org.name,
        "identity_class": "organization",
        "sectors": list(org.sectors),
        "x_shieldwall_org_id": org.id,
    }


def member_identities(tx: UnitOfWork) -> frozenset[str]:
    """Identity ids of every organisation: members know who their peers are."""
    return frozenset(identity_id(org.id) for org in tx.organisations.list())
