"""SCO graphs → MISP objects (M7, export side): the reverse of the object templates.

An observed-data whose SCOs form a graph (a file with hashes, a domain with addresses, a
connection, an e-mail) becomes one MISP object whose attributes carry the template's
``object_relation`` names; attribute uuids are derived from the object uuid, the relation
and the value, so re-exporting gives the same uuids (M18).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall.share.misp.ids import attribute_uuid
from shieldwall.share.misp.observables import HASHES

OBJECT_BY_SCO: Mapping[str, str] = {
    "file": "file",
    "domain-name": "domain-ip",
    "network-traffic": "network-connection",
    "email-message": "email",
    "url": "url",
}
_HASH_RELATION = {name: misp for misp, name in HASHES.items()}
Relation = tuple[str, str, str]  # (object_relation, MISP type, value)


def object_relations(
    main: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]], name: str
) -> list[Relation]:
    """The (relation, type, value) triples a MISP object gets from an SCO graph."""
    kind = main.get("type")
    if kind == "file":
        return _file(main)
    if kind == "domain-name":
        found = [("domain", "domain", str(main.get("value")))]
        return found + [("ip", "ip-dst", v) for v in _values(main, "resolves_to_refs", by_id)]
    if kind == "network-traffic":
        return _traffic(main, by_id, name)
    if kind == "email-message":
        found = [("from", "email-src", v) for v in _values(main, "from_ref", by_id)]
        found += [("to", "email-dst", v) for v in _values(main, "to_refs", by_id)]
        if isinstance(main.get("subject"), str):
            found.append(("subject", "email-subject", str(main["subject"])))
        return found
    if kind == "url" and isinstance(main.get("value"), str):
        return [("url", "url", str(main["value"]))]
    if kind in ("ipv4-addr", "ipv6-addr"):
        return [("ip", "ip-dst", str(main.get("value")))]
    return []


def _file(main: Mapping[str, Any]) -> list[Relation]:
    found: list[Relation] = []
    if isinstance(main.get("name"), str):
        found.append(("filename", "filename", str(main["name"])))
    hashes = main.get("hashes")
    for algorithm, digest in hashes.items() if isinstance(hashes, dict) else ():
        relation = _HASH_RELATION.get(str(algorithm))
        if relation is not None:
            found.append((relation, relation, str(digest)))
    if isinstance(main.get("size"), int):
        found.append(("size-in-bytes", "size-in-bytes", str(main["size"])))
    return found


def _traffic(
    main: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]], name: str
) -> list[Relation]:
    found: list[Relation] = []
    for side in ("src", "dst"):
        relation = "ip" if name == "ip-port" and side == "dst" else f"ip-{side}"
        found += [(relation, f"ip-{side}", v) for v in _values(main, f"{side}_ref", by_id)]
        if isinstance(main.get(f"{side}_port"), int):
            found.append((f"{side}-port", "port", str(main[f"{side}_port"])))
    protocols = main.get("protocols")
    if isinstance(protocols, list) and protocols and protocols[0] not in ("ipv4", "ipv6"):
        found.append(("layer4-protocol", "text", str(protocols[0]).upper()))
    return found


def _values(main: Mapping[str, Any], key: str, by_id: Mapping[str, Mapping[str, Any]]) -> list[str]:
    refs = main.get(key)
    ids = [refs] if isinstance(refs, str) else refs if isinstance(refs, list) else []
    return [str(by_id[r]["value"]) for r in ids if r in by_id and "value" in by_id[r]]


def object_attributes(
    object_uuid: str, relations: list[Relation], to_ids: bool
) -> list[dict[str, Any]]:
    """MISP object attributes with uuids stable across re-exports."""
    return [
        {
            "uuid": attribute_uuid(object_uuid, relation, value),
            "object_relation": relation,
            "type": misp_type,
            "value": value,
            "to_ids": to_ids and misp_type not in ("size-in-bytes", "text", "port"),
        }
        for relation, misp_type, value in relations
    ]
