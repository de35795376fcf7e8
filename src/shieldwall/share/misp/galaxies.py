"""Galaxy clusters → STIX SDOs with stable ids (M8).

The galaxy type decides the SDO type (threat actor, intrusion set, malware, attack
pattern, tool, course of action); the id comes from the context's galaxy id table, so one
cluster uuid always gives one STIX id, whichever event carries it. ATT&CK clusters keep
their technique id as a ``mitre-attack`` external reference, which is what ATT&CK queries
match on. A cluster of a galaxy type with no STIX counterpart is kept as a
``misp-galaxy:`` label on the event instead of being dropped.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from shieldwall.share.misp.fields import Where, mapping, records, text, uuid_text
from shieldwall.share.misp.ids import MISP_NAMESPACE
from shieldwall.share.misp.scope import EventScope, Sharing
from shieldwall.share.misp.text import sanitise_text

SDO_BY_KEYWORD: tuple[tuple[str, str], ...] = (
    ("attack-pattern", "attack-pattern"),
    ("intrusion-set", "intrusion-set"),
    ("threat-actor", "threat-actor"),
    ("course-of-action", "course-of-action"),
    ("tool", "tool"),
    ("malware", "malware"),
    ("ransomware", "malware"),
    ("malpedia", "malware"),
    ("botnet", "malware"),
    ("banker", "malware"),
    ("rat", "malware"),
    ("stealer", "malware"),
    ("backdoor", "malware"),
    ("exploit-kit", "malware"),
)
"""Galaxy type keywords (whole hyphen-separated words) to SDO types; the first found wins."""

ALIASED = frozenset({"intrusion-set", "threat-actor", "malware", "tool"})


def sdo_type_for(galaxy_type: str) -> str | None:
    """The SDO type for a MISP galaxy type, or None when there is none."""
    padded = f"-{galaxy_type.lower()}-"
    for keyword, sdo_type in SDO_BY_KEYWORD:
        if f"-{keyword}-" in padded:
            return sdo_type
    return None


def convert_galaxies(
    scope: EventScope, entity: Mapping[str, Any], where: Where, sharing: Sharing
) -> tuple[list[str], list[str]]:
    """Convert the ``Galaxy`` list of an event or attribute, then the ``misp-galaxy:`` tags
    that name a cluster it does not hold (a feed's events carry only those tags, as
    PyMISP's ``to_feed()`` writes them); (SDO ids, leftover labels)."""
    ids: list[str] = []
    labels: list[str] = []
    limit = scope.context.limits.max_galaxy_clusters
    for index, galaxy in enumerate(records(entity, "Galaxy", where, limit=limit)):
        here = where.at(f"Galaxy[{index}]")
        scope.isolated(_galaxy, galaxy, here, sharing, ids, labels)
    held = _tags_of(scope, set(ids))
    for index, tag in enumerate(records(entity, "Tag", where, limit=scope.context.limits.max_tags)):
        found = _GALAXY_TAG.match(str(tag.get("name", "")).strip())
        if found is None or tag.get("local") in (True, 1, "1", "true") or found.group(0) in held:
            continue
        cluster = _tag_cluster(found.group("type"), found.group("value"))
        here = where.at(f"Tag[{index}]")
        scope.isolated(_one_cluster, cluster, here, found.group("type"), sharing, ids, labels)
    return ids, labels


_GALAXY_TAG = re.compile(r'^misp-galaxy:(?P<type>[A-Za-z0-9_.-]+)="(?P<value>[^"]+)"$')
_TECHNIQUE = re.compile(r"\b(T\d{4}(?:\.\d{3})?)$")


def _tags_of(scope: EventScope, ids: set[str]) -> set[str]:
    """The ``misp-galaxy:`` tags of the clusters already converted."""
    return {
        f'misp-galaxy:{obj.get("x_misp_galaxy_type")}="{obj.get("name")}"'
        for obj in scope.result.objects
        if obj["id"] in ids
    }


def _tag_cluster(galaxy_type: str, value: str) -> dict[str, Any]:
    """A cluster known only by its tag: its uuid derived from galaxy type and value, so
    every feed and event naming it gives one STIX id; an ATT&CK id in the value is kept."""
    cluster: dict[str, Any] = {
        "uuid": str(uuid.uuid5(MISP_NAMESPACE, f"misp-galaxy-tag|{galaxy_type}|{value}")),
        "value": value,
    }
    technique = _TECHNIQUE.search(value)
    if technique:
        cluster["meta"] = {"external_id": [technique.group(1)]}
    return cluster


def _galaxy(
    scope: EventScope,
    galaxy: Mapping[str, Any],
    here: Where,
    sharing: Sharing,
    ids: list[str],
    labels: list[str],
) -> None:
    limit = scope.context.limits.max_galaxy_clusters
    galaxy_type = text(galaxy, "type", here, limit=256)
    for c_index, cluster in enumerate(records(galaxy, "GalaxyCluster", here, limit=limit)):
        c_where = here.at(f"GalaxyCluster[{c_index}]")
        scope.isolated(_one_cluster, cluster, c_where, galaxy_type, sharing, ids, labels)


def _one_cluster(
    scope: EventScope,
    cluster: Mapping[str, Any],
    where: Where,
    galaxy_type: str,
    sharing: Sharing,
    ids: list[str],
    labels: list[str],
) -> None:
    sdo_type = sdo_type_for(galaxy_type)
    value = text(cluster, "value", where, limit=4096)
    if sdo_type is None or not value:
        labels.append(f'misp-galaxy:{galaxy_type}="{value}"')
        return
    ids.append(_cluster(scope, cluster, where, galaxy_type, sdo_type, sharing))


def _cluster(
    scope: EventScope,
    cluster: Mapping[str, Any],
    where: Where,
    galaxy_type: str,
    sdo_type: str,
    sharing: Sharing,
) -> str:
    cluster_uuid = uuid_text(cluster, "uuid", where)
    stix_id = scope.context.galaxy_ids.stix_id(cluster_uuid, sdo_type)
    sdo: dict[str, Any] = {
        "type": sdo_type,
        "spec_version": "2.1",
        "id": stix_id,
        "created": scope.event_time,
        "modified": scope.event_time,
        "name": text(cluster, "value", where, limit=4096),
        "x_misp_galaxy_type": galaxy_type,
        "x_misp_cluster_uuid": cluster_uuid,
    }
    description = sanitise_text(text(cluster, "description", where, limit=65536))
    if description:
        sdo["description"] = description
    meta = mapping(cluster, "meta", where)
    synonyms = _strings(meta.get("synonyms"))
    if synonyms and sdo_type in ALIASED:
        sdo["aliases"] = synonyms
    if sdo_type == "malware":
        sdo["is_family"] = True
    references = _external_references(sdo_type, meta)
    if references:
        sdo["external_references"] = references
    scope.stix_by_misp_uuid[cluster_uuid] = stix_id
    return scope.add(sdo, sharing)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value[:1024]]
    if isinstance(value, list):
        return [item[:1024] for item in value[:256] if isinstance(item, str)]
    return []


def _external_references(sdo_type: str, meta: Mapping[str, Any]) -> list[dict[str, str]]:
    references: list[dict[str, str]] = []
    source = "mitre-attack" if sdo_type == "attack-pattern" else "misp-galaxy"
    references.extend(
        {"source_name": source, "external_id": ext} for ext in _strings(meta.get("external_id"))
    )
    references.extend(
        {"source_name": "misp-galaxy-ref", "url": url}
        for url in _strings(meta.get("refs"))
        if url.startswith(("https://", "http://"))
    )
    return references
