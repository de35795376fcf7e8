"""STIX identifiers for MISP things: kept where MISP has a uuid, derived where it has not.

MISP uuids become STIX ids unchanged (``indicator--<attribute uuid>``), so re-importing an
event updates the same objects (M3, M18). Where one MISP thing gives several STIX objects,
or where the STIX id must not collide with a MISP uuid used elsewhere, the id is a uuid5 in
Shieldwall's MISP namespace. Galaxy clusters go through a mapping table (M8) so the same
cluster uuid always gives the same STIX id and an exported SDO finds its cluster again.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Protocol

MISP_NAMESPACE = uuid.UUID("6f1e3c2a-5b7d-5e1a-9c4f-0d2b8a7e6c31")
"""Shieldwall's namespace for ids derived from MISP uuids (fixed forever)."""

SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
"""The STIX 2.1 namespace for deterministic cyber-observable ids (spec section 2.9)."""


def derived_id(stix_type: str, *parts: str) -> str:
    """A deterministic id from MISP identifiers, e.g. the identity of an ``Orgc``."""
    name = "|".join((stix_type, *parts))
    return f"{stix_type}--{uuid.uuid5(MISP_NAMESPACE, name)}"


def sco_id(stix_type: str, contributing: dict[str, Any]) -> str:
    """The deterministic id the STIX spec gives an SCO from its id-contributing properties."""
    canonical = json.dumps(contributing, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{stix_type}--{uuid.uuid5(SCO_NAMESPACE, canonical)}"


def org_identity_id(org_uuid: str) -> str:
    """The STIX identity standing for a MISP organisation (``created_by_ref``, M24)."""
    return derived_id("identity", "misp-org", org_uuid)


def attribute_uuid(object_uuid: str, relation: str, value: str) -> str:
    """The uuid of an object attribute that has none: stable across imports and exports."""
    return str(uuid.uuid5(MISP_NAMESPACE, f"{object_uuid}|{relation}|{value}"))


def uuid_of(stix_id: str) -> str:
    """The uuid part of a STIX id."""
    return stix_id.partition("--")[2]


class GalaxyIdTable(Protocol):
    """Cluster uuid ↔ STIX id; the intel store may keep it in the database."""

    def stix_id(self, cluster_uuid: str, stix_type: str) -> str:
        """The STIX id for a cluster, recording it on first use."""
        ...

    def cluster_uuid(self, stix_id: str) -> str | None:
        """The cluster a STIX id came from, or None when it did not come from one."""
        ...


class MemoryGalaxyIdTable:
    """The mapping table in memory; ids are uuid5 of the cluster uuid, so tables agree."""

    def __init__(self) -> None:
        self._by_cluster: dict[tuple[str, str], str] = {}
        self._by_stix: dict[str, str] = {}

    def stix_id(self, cluster_uuid: str, stix_type: str) -> str:
        """The STIX id for a cluster, recording it on first use."""
        key = (cluster_uuid, stix_type)
        found = self._by_cluster.get(key)
        if found is None:
            found = derived_id(stix_type, "misp-galaxy-cluster", cluster_uuid)
            self._by_cluster[key] = found
            self._by_stix[found] = cluster_uuid
        return found

    def cluster_uuid(self, stix_id: str) -> str | None:
        """The cluster a STIX id came from, or None when unknown."""
        return self._by_stix.get(stix_id)
