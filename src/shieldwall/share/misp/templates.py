"""MISP object templates with a STIX cyber-observable home → SCO graphs (M7).

Each builder takes an object's values by ``object_relation`` and returns the SCOs (the
first is the main one) and the ``path = value`` comparisons its indicator is made of, or
None when the object holds nothing the template can express. The choice of templates and
of properties follows misp-stix (``MISPtoSTIX21Parser``), so a MISP user finds the same
STIX shapes here; ``docs/conformance/misp.md`` lists where Shieldwall differs. Values a
template does not express stay with the object in its MISP words (``x_misp_attributes``,
see :mod:`.object_record`), so nothing is lost on the way back out.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from shieldwall.share.intel.stix_values import full_registry_key
from shieldwall.share.misp.ids import MISP_NAMESPACE, sco_id
from shieldwall.share.misp.observables import HASHES, Comparison, Observable, observable_for

Values = dict[str, list[str]]
Builder = Callable[[Values], Observable | None]


def first(values: Values, *relations: str) -> str | None:
    """The first value of the first relation present."""
    for relation in relations:
        if values.get(relation):
            return values[relation][0]
    return None


def _must(misp_type: str, value: str) -> Observable:
    found = observable_for(misp_type, value)
    if found is None:
        raise ValueError(f"{misp_type} is not an observable type")
    return found


def _built(stix_type: str, contributing: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An SCO; with no id-contributing property its id is a (deterministic) UUIDv4."""
    ident = sco_id(stix_type, contributing)
    if not contributing:
        ident = f"{stix_type}--{uuid4_like(stix_type, repr(sorted(extra.items())))}"
    return {"type": stix_type, "spec_version": "2.1", "id": ident, **contributing, **extra}


def uuid4_like(*parts: str) -> str:
    """A deterministic UUID in version-4 form, for SCOs the spec gives no contributing
    properties (process): STIX requires UUIDv4 there, and a re-import must give one id."""
    seed = uuid.uuid5(MISP_NAMESPACE, "|".join(parts))
    return str(uuid.UUID(bytes=seed.bytes, version=4))


def file_graph(values: Values, pe: Mapping[str, Any] | None = None) -> Observable | None:
    """A ``file`` with its hashes, name, size and MIME type (and PE extension, merged in)."""
    contributing: dict[str, Any] = {}
    comparisons: list[Comparison] = []
    name = first(values, "filename")
    if name is not None:
        contributing["name"] = name
        comparisons.append(("file:name", name))
    for relation in HASHES:
        digest = first(values, relation)
        part = observable_for(relation, digest) if digest is not None else None
        if part is not None:
            contributing.setdefault("hashes", {}).update(part.scos[0]["hashes"])
            comparisons.extend(part.comparisons)
    if not contributing:
        return None
    if pe:
        contributing["extensions"] = {"windows-pebinary-ext": dict(pe)}
    extra: dict[str, Any] = {}
    size = first(values, "size-in-bytes")
    if size is not None:
        extra["size"] = int(size)
        comparisons.append(("file:size", int(size)))
    mime = first(values, "mimetype")
    if mime is not None:
        extra["mime_type"] = mime
    return Observable([_built("file", contributing, **extra)], comparisons)


def pe_extension(values: Values, sections: list[Values]) -> dict[str, Any]:
    """``windows-pebinary-ext`` from a ``pe`` object and its ``pe-section`` objects."""
    ext: dict[str, Any] = {"pe_type": (first(values, "type") or "exe").lower()}
    imphash = first(values, "imphash")
    if imphash is not None:
        ext["imphash"] = imphash
    count = first(values, "number-sections")
    if count is not None:
        ext["number_of_sections"] = int(count)
    if sections:
        ext["sections"] = [_section(section) for section in sections]
    return ext


def _section(values: Values) -> dict[str, Any]:
    section: dict[str, Any] = {}
    name = first(values, "name")
    if name is not None:
        section["name"] = name
    size = first(values, "size-in-bytes")
    if size is not None:
        section["size"] = int(size)
    entropy = first(values, "entropy")
    if entropy is not None:
        section["entropy"] = float(entropy)
    for relation in ("md5", "sha1", "sha256", "sha512"):
        digest = first(values, relation)
        if digest is not None:
            section.setdefault("hashes", {})[HASHES[relation]] = digest
    return section


def _domain_ip(values: Values) -> Observable | None:
    domain = first(values, "domain", "hostname")
    addresses = [p for v in values.get("ip", []) if (p := observable_for("ip-dst", v))]
    if domain is None:
        scos = [s for p in addresses for s in p.scos]
        return Observable(scos, [c for p in addresses for c in p.comparisons]) if scos else None
    main = _must("domain", domain)
    comparisons = list(main.comparisons)
    if addresses:
        main.scos[0]["resolves_to_refs"] = [p.main_id for p in addresses]
        comparisons += [
            ("domain-name:resolves_to_refs[*].value", p.scos[0]["value"]) for p in addresses
        ]
    return Observable([*main.scos, *(s for p in addresses for s in p.scos)], comparisons)


def _connection(values: Values) -> Observable | None:
    src, dst = first(values, "ip-src", "src-ip"), first(values, "ip-dst", "dst-ip", "ip")
    if src is None and dst is None:
        return None
    traffic: dict[str, Any] = {}
    scos: list[dict[str, Any]] = []
    comparisons: list[Comparison] = []
    for side, address in (("src", src), ("dst", dst)):
        port = first(values, f"{side}-port")
        if address is not None:
            part = _must("ip-dst", address)
            traffic[f"{side}_ref"] = part.main_id
            scos.extend(part.scos)
            comparisons.append((f"network-traffic:{side}_ref.value", part.scos[0]["value"]))
        if port is not None:
            traffic[f"{side}_port"] = int(port)
            comparisons.append((f"network-traffic:{side}_port", int(port)))
    protocol = first(values, "layer4-protocol", "protocol")
    traffic["protocols"] = [protocol.lower()] if protocol else ["ipv4"]
    return Observable([_built("network-traffic", traffic), *scos], comparisons)


def _email(values: Values) -> Observable | None:
    message: dict[str, Any] = {"is_multipart": False}
    scos: list[dict[str, Any]] = []
    comparisons: list[Comparison] = []
    sender = first(values, "from")
    if sender is not None:
        part = _must("email-src", sender)
        message["from_ref"] = part.main_id
        scos.extend(part.scos)
        comparisons.append(("email-message:from_ref.value", sender))
    recipients = [p for v in values.get("to", []) if (p := observable_for("email-dst", v))]
    if recipients:
        message["to_refs"] = [p.main_id for p in recipients]
        scos.extend(s for p in recipients for s in p.scos)
        comparisons += [("email-message:to_refs[*].value", p.scos[0]["value"]) for p in recipients]
    subject = first(values, "subject")
    if subject is not None:
        message["subject"] = subject
        comparisons.append(("email-message:subject", subject))
    if len(message) == 1:
        return None
    contributing: dict[str, Any] = {k: message[k] for k in ("from_ref", "subject") if k in message}
    built = _built("email-message", contributing, **message)
    return Observable([built, *scos], comparisons)


def _url(values: Values) -> Observable | None:
    url = first(values, "url")
    return observable_for("url", url) if url is not None else None


def _registry_key(values: Values) -> Observable | None:
    key = first(values, "key")
    if key is None:
        return None
    key = full_registry_key(key)
    entry = {
        prop: found
        for prop, relation in (("name", "name"), ("data", "data"), ("data_type", "data-type"))
        if (found := first(values, relation)) is not None
    }
    contributing: dict[str, Any] = {"key": key}
    comparisons: list[Comparison] = [("windows-registry-key:key", key)]
    if entry:
        contributing["values"] = [entry]
        comparisons += [(f"windows-registry-key:values[*].{k}", v) for k, v in entry.items()]
    return Observable([_built("windows-registry-key", contributing)], comparisons)


def _x509(values: Values) -> Observable | None:
    contributing: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    comparisons: list[Comparison] = []
    for relation in ("md5", "sha1", "sha256"):
        digest = first(values, f"x509-fingerprint-{relation}")
        if digest is not None:
            contributing.setdefault("hashes", {})[HASHES[relation]] = digest
            comparisons.append((f"x509-certificate:hashes.'{HASHES[relation]}'", digest))
    serial = first(values, "serial-number")
    if serial is not None:
        contributing["serial_number"] = serial
        comparisons.append(("x509-certificate:serial_number", serial))
    for prop, relation in (("issuer", "issuer"), ("subject", "subject")):
        found = first(values, relation)
        if found is not None:
            extra[prop] = found
            comparisons.append((f"x509-certificate:{prop}", found))
    if not contributing and not extra:
        return None
    return Observable([_built("x509-certificate", contributing, **extra)], comparisons)


def _asn(values: Values) -> Observable | None:
    number = first(values, "asn")
    if number is None:
        return None
    found = _must("AS", number)
    name = first(values, "description")
    if name is not None:
        found.scos[0]["name"] = name
    return found


def _process(values: Values) -> Observable | None:
    process: dict[str, Any] = {}
    comparisons: list[Comparison] = []
    pid = first(values, "pid")
    if pid is not None:
        process["pid"] = int(pid)
        comparisons.append(("process:pid", int(pid)))
    for prop, relation in (("command_line", "command-line"), ("cwd", "current-directory")):
        found = first(values, relation)
        if found is not None:
            process[prop] = found
            comparisons.append((f"process:{prop}", found))
    image = first(values, "image", "name")
    scos: list[dict[str, Any]] = []
    if image is not None:
        scos.append(_built("file", {"name": image}))
        process["image_ref"] = scos[0]["id"]
        comparisons.append(("process:image_ref.name", image))
    if not process:
        return None
    seed = "|".join(f"{k}={v}" for k, v in sorted(process.items()))
    main = {"type": "process", "spec_version": "2.1", "id": f"process--{uuid4_like(seed)}"}
    return Observable([{**main, **process}, *scos], comparisons)


def _user_account(values: Values) -> Observable | None:
    account = {
        prop: found
        for prop, relation in (
            ("user_id", "user-id"),
            ("account_login", "username"),
            ("display_name", "display-name"),
            ("account_type", "account-type"),
        )
        if (found := first(values, relation)) is not None
    }
    if not account:
        return None
    contributing = {k: v for k, v in account.items() if k != "display_name"}
    comparisons: list[Comparison] = [(f"user-account:{k}", v) for k, v in account.items()]
    return Observable([_built("user-account", contributing, **account)], comparisons)


def _mutex(values: Values) -> Observable | None:
    name = first(values, "name")
    return observable_for("mutex", name) if name is not None else None


SCO_TEMPLATES: Mapping[str, Builder] = {
    "file": file_graph,
    "domain-ip": _domain_ip,
    "ip-port": _connection,
    "network-connection": _connection,
    "email": _email,
    "url": _url,
    "registry-key": _registry_key,
    "x509": _x509,
    "asn": _asn,
    "process": _process,
    "user-account": _user_account,
    "mutex": _mutex,
}
"""Templates converted to SCO graphs, by MISP object name."""
