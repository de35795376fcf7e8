"""MISP attribute types ↔ STIX cyber-observables and the comparisons of a STIX pattern (M6).

One table drives both directions. Import turns a typed value into SCOs (with their
deterministic ids) and into the comparisons ``path = value`` that make its indicator
pattern; export turns the comparisons of a simple pattern, or of an observed-data's SCOs,
back into a MISP type and value. Composite types (``filename|sha256``, ``ip-dst|port``,
``domain|ip``) keep their parts in the table's order.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shieldwall.share.intel.stix_values import email_error, full_registry_key, host_name_error
from shieldwall.share.misp.ids import SCO_NAMESPACE, sco_id

HASHES: Mapping[str, str] = {
    "md5": "MD5",
    "sha1": "SHA-1",
    "sha256": "SHA-256",
    "sha512": "SHA-512",
    "sha3-256": "SHA3-256",
    "sha3-512": "SHA3-512",
    "ssdeep": "SSDEEP",
    "tlsh": "TLSH",
    "sha224": "SHA-224",
    "sha384": "SHA-384",
    "sha3-224": "SHA3-224",
    "sha3-384": "SHA3-384",
    "imphash": "IMPHASH",
    "pehash": "PEHASH",
    "authentihash": "AUTHENTIHASH",
    "vhash": "VHASH",
    "impfuzzy": "IMPFUZZY",
    "telfhash": "TELFHASH",
    "cdhash": "CDHASH",
}
"""MISP hash types → STIX hash names; past the STIX vocabulary, the names misp-stix uses."""
Literal = str | int
Comparison = tuple[str, Literal]
ATTACHMENT_PATH = "email-message:body_multipart[*].body_raw_ref.name"


@dataclass(slots=True)
class Observable:
    """The SCOs for one MISP value (the first is the main one) and its pattern comparisons."""

    scos: list[dict[str, Any]] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def main_id(self) -> str:
        """The id of the SCO the value is about."""
        return str(self.scos[0]["id"])


def _sco(stix_type: str, contributing: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": stix_type,
        "spec_version": "2.1",
        "id": sco_id(stix_type, contributing),
        **contributing,
        **extra,
    }


def hash_path(algorithm: str, sco_type: str = "file") -> str:
    """The pattern path of a hash, quoted when the name needs it (``hashes.'SHA-256'``)."""
    return (
        f"{sco_type}:hashes.{algorithm}"
        if algorithm.isalnum()
        else (f"{sco_type}:hashes.'{algorithm}'")
    )


def _ip(value: str) -> Observable:
    network = ipaddress.ip_network(value.strip(), strict=False)
    kind = "ipv4-addr" if network.version == 4 else "ipv6-addr"
    text = str(network.network_address) if network.num_addresses == 1 else str(network)
    return Observable([_sco(kind, {"value": text})], [(f"{kind}:value", text)])


def _single(sco_type: str, prop: str, value: Literal) -> Observable:
    return Observable([_sco(sco_type, {prop: value})], [(f"{sco_type}:{prop}", value)])


def _file(name: str | None, algorithm: str | None, digest: str | None) -> Observable:
    contributing: dict[str, Any] = {}
    comparisons: list[Comparison] = []
    if name is not None:
        contributing["name"] = name
        comparisons.append(("file:name", name))
    if algorithm is not None and digest is not None:
        contributing["hashes"] = {algorithm: digest}
        comparisons.append((hash_path(algorithm), digest))
    return Observable([_sco("file", contributing)], comparisons)


def _ip_port(value: str, side: str) -> Observable:
    address, _, port_text = value.rpartition("|")
    address_part = _ip(address)
    port = int(port_text)
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} out of range")
    kind = str(address_part.scos[0]["type"])
    traffic = _sco(
        "network-traffic",
        {f"{side}_ref": address_part.main_id, f"{side}_port": port, "protocols": [kind[:4]]},
    )
    comparisons: list[Comparison] = [
        (f"network-traffic:{side}_ref.value", str(address_part.scos[0]["value"])),
        (f"network-traffic:{side}_port", port),
    ]
    return Observable([traffic, *address_part.scos], comparisons)


def _domain_ip(value: str) -> Observable:
    domain, _, address = value.partition("|")
    address_part = _ip(address)
    sco = _sco("domain-name", {"value": domain}, resolves_to_refs=[address_part.main_id])
    comparisons: list[Comparison] = [
        ("domain-name:value", domain),
        ("domain-name:resolves_to_refs[*].value", str(address_part.scos[0]["value"])),
    ]
    return Observable([sco, *address_part.scos], comparisons)


def _registry_value(value: str) -> Observable:
    key, _, data = value.partition("|")
    key = full_registry_key(key)
    sco = _sco("windows-registry-key", {"key": key, "values": [{"data": data}]})
    comparisons: list[Comparison] = [
        ("windows-registry-key:key", key),
        ("windows-registry-key:values[*].data", data),
    ]
    return Observable([sco], comparisons)


def _email_attachment(value: str) -> Observable:
    attached = _sco("file", {"name": value})
    seed = uuid.uuid5(SCO_NAMESPACE, f"email-attachment|{value}")
    message = {
        "type": "email-message",
        "spec_version": "2.1",
        "id": f"email-message--{uuid.UUID(bytes=seed.bytes, version=4)}",
        "is_multipart": True,
        "body_multipart": [
            {
                "content_disposition": f"attachment; filename='{value}'",
                "body_raw_ref": attached["id"],
            }
        ],
    }
    return Observable([message, attached], [(ATTACHMENT_PATH, value)])


def _autonomous_system(value: str) -> Observable:
    number = int(value.strip().upper().removeprefix("AS"))
    return _single("autonomous-system", "number", number)


def observable_for(misp_type: str, value: str) -> Observable | None:
    """SCOs and comparisons for a MISP value; None when the type is not an observable.

    Raises ValueError for a value the type cannot hold (a bad IP address, port or AS).
    """
    if misp_type in ("ip-src", "ip-dst"):
        return _ip(value)
    if misp_type in ("ip-src|port", "ip-dst|port"):
        return _ip_port(value, "src" if misp_type.startswith("ip-src") else "dst")
    if misp_type == "domain|ip":
        return _domain_ip(value)
    if misp_type in HASHES:
        return _file(None, HASHES[misp_type], value.strip())
    if misp_type.startswith("filename|") and misp_type[9:] in HASHES:
        name, _, digest = value.rpartition("|")
        return _file(name, HASHES[misp_type[9:]], digest.strip())
    if misp_type.startswith("x509-fingerprint-") and misp_type[17:] in HASHES:
        algorithm = HASHES[misp_type[17:]]
        contributing = {"hashes": {algorithm: value.strip()}}
        return Observable(
            [_sco("x509-certificate", contributing)],
            [(hash_path(algorithm, "x509-certificate"), value.strip())],
        )
    if misp_type == "AS":
        return _autonomous_system(value)
    if misp_type == "regkey|value":
        return _registry_value(value)
    if misp_type == "email-attachment":
        return _email_attachment(value)
    if misp_type == "email-subject":
        sco = _sco("email-message", {"subject": value}, is_multipart=False)
        return Observable([sco], [("email-message:subject", value)])
    simple = SIMPLE.get(misp_type)
    if simple is None:
        return None
    sco_type, prop = simple
    problem = _FORMAT_CHECKS.get(sco_type, _no_check)(value)
    if problem:
        raise ValueError(problem)
    if sco_type == "windows-registry-key":
        value = full_registry_key(value)
    return _single(sco_type, prop, value.lower() if sco_type == "mac-addr" else value)


def _no_check(_value: str) -> str:
    return ""


_FORMAT_CHECKS = {"domain-name": host_name_error, "email-addr": email_error}
"""Values STIX gives a format, checked as stix2-validator checks them."""


SIMPLE: Mapping[str, tuple[str, str]] = {
    "domain": ("domain-name", "value"),
    "hostname": ("domain-name", "value"),
    "url": ("url", "value"),
    "uri": ("url", "value"),
    "link": ("url", "value"),
    "email": ("email-addr", "value"),
    "email-src": ("email-addr", "value"),
    "email-dst": ("email-addr", "value"),
    "filename": ("file", "name"),
    "mutex": ("mutex", "name"),
    "regkey": ("windows-registry-key", "key"),
    "mac-address": ("mac-addr", "value"),
}
"""Types whose value is one property of one SCO."""
