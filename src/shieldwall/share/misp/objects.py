"""MISP objects and their references → SCO graphs, indicators and relationships (M7).

Known templates (file, domain-ip, ip-port, url, email, network-connection) become one
observed-data over an SCO graph (a file with its hashes, a domain resolving to its
addresses, an e-mail with its sender and recipients, a connection between two
addresses); when any attribute is ``to_ids`` an indicator with the AND of the graph's
comparisons is added, ``based-on`` the observed-data. Other templates keep their
attributes one by one, each remembering the object it came from. ``ObjectReference``
entries become relationships once every object of the event is known.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shieldwall.share.misp.attributes import attribute_sharing, convert_attribute
from shieldwall.share.misp.audience import read_distribution
from shieldwall.share.misp.fields import Where, flag, records, stix_time, text, timestamp, uuid_text
from shieldwall.share.misp.ids import derived_id, sco_id
from shieldwall.share.misp.observables import Comparison, Observable, observable_for
from shieldwall.share.misp.patterns import format_pattern, pattern_errors
from shieldwall.share.misp.scope import EventScope, Sharing
from shieldwall.share.misp.tags import read_tags

Values = dict[str, list[str]]


def convert_object(
    scope: EventScope, obj: Mapping[str, Any], where: Where, parent: Sharing
) -> None:
    """Convert one MISP object (template instance)."""
    obj_uuid = uuid_text(obj, "uuid", where)
    name = text(obj, "name", where, limit=128)
    audience = read_distribution(obj, where, scope.context, parent.audience)
    sharing = Sharing(audience, read_tags(obj, where, scope.context.limits).under(parent.tags))
    attributes = records(obj, "Attribute", where, limit=scope.context.limits.max_attributes)
    builder = TEMPLATES.get(name)
    if builder is None:
        extra = {"x_misp_object_name": name, "x_misp_object_uuid": obj_uuid}
        for index, attr in enumerate(attributes):
            convert_attribute(scope, attr, where.at(f"Attribute[{index}]"), sharing, extra)
        return
    values: Values = {}
    to_ids = False
    for index, attr in enumerate(attributes):
        here = where.at(f"Attribute[{index}]")
        relation = text(attr, "object_relation", here, limit=128)
        values.setdefault(relation, []).append(text(attr, "value", here, limit=scope.limits_value))
        to_ids = to_ids or flag(attr, "to_ids", here)
        sharing = Sharing(sharing.audience, attribute_sharing(scope, attr, here, sharing).tags)
    try:
        graph = builder(values)
    except (ValueError, KeyError) as error:
        scope.problem(where.error(f"{name} object cannot be converted: {error}"))
        return
    if graph is None or not graph.scos:
        scope.problem(where.error(f"{name} object has no attribute Shieldwall can convert"))
        return
    seconds = timestamp(obj, "timestamp", where, default=0)
    _emit(scope, obj_uuid, name, graph, to_ids, sharing, seconds, where)


def _emit(
    scope: EventScope,
    obj_uuid: str,
    name: str,
    graph: Observable,
    to_ids: bool,
    sharing: Sharing,
    seconds: int,
    where: Where,
) -> None:
    moment = stix_time(seconds) if seconds else scope.event_time
    base = {
        "spec_version": "2.1",
        "created": moment,
        "modified": moment,
        "x_misp_object_name": name,
    }
    for sco in graph.scos:
        scope.add(sco, sharing, sco=True)
    observed_id = f"observed-data--{obj_uuid}"
    scope.add(
        {
            "type": "observed-data",
            "id": observed_id,
            **base,
            "first_observed": moment,
            "last_observed": moment,
            "number_observed": 1,
            "object_refs": [sco["id"] for sco in graph.scos],
        },
        sharing,
    )
    scope.stix_by_misp_uuid[obj_uuid] = observed_id
    if not to_ids:
        return
    pattern = format_pattern(graph.comparisons)
    errors = pattern_errors(pattern)
    if errors:
        scope.problem(where.error(f"pattern {pattern!r} invalid: {errors[0]}"))
        return
    indicator_id = f"indicator--{obj_uuid}"
    scope.add(
        {
            "type": "indicator",
            "id": indicator_id,
            **base,
            "pattern": pattern,
            "pattern_type": "stix",
            "valid_from": moment,
        },
        sharing,
    )
    scope.add(
        {
            "type": "relationship",
            "id": derived_id("relationship", obj_uuid, "based-on"),
            "spec_version": "2.1",
            "created": moment,
            "modified": moment,
            "relationship_type": "based-on",
            "source_ref": indicator_id,
            "target_ref": observed_id,
        },
        sharing,
    )
    scope.stix_by_misp_uuid[obj_uuid] = indicator_id


def _must(misp_type: str, value: str) -> Observable:
    found = observable_for(misp_type, value)
    if found is None:
        raise ValueError(f"{misp_type} is not an observable type")
    return found


def _first(values: Values, *relations: str) -> str | None:
    for relation in relations:
        if values.get(relation):
            return values[relation][0]
    return None


def _file(values: Values) -> Observable | None:
    sco: dict[str, Any] = {}
    comparisons: list[Comparison] = []
    name = _first(values, "filename")
    if name is not None:
        sco["name"] = name
        comparisons.append(("file:name", name))
    for relation in ("md5", "sha1", "sha256", "sha512", "ssdeep", "tlsh"):
        digest = _first(values, relation)
        part = observable_for(relation, digest) if digest is not None else None
        if part is not None:
            sco.setdefault("hashes", {}).update(part.scos[0]["hashes"])
            comparisons.extend(part.comparisons)
    size = _first(values, "size-in-bytes")
    if not sco:
        return None
    built = {"type": "file", "spec_version": "2.1", "id": sco_id("file", dict(sco)), **sco}
    if size is not None:
        built["size"] = int(size)
    return Observable([built], comparisons)


def _domain_ip(values: Values) -> Observable | None:
    domain = _first(values, "domain", "hostname")
    addresses = [p for v in values.get("ip", []) if (p := observable_for("ip-dst", v))]
    if domain is None:
        return (
            Observable(
                [s for p in addresses for s in p.scos],
                [c for p in addresses for c in p.comparisons],
            )
            if addresses
            else None
        )
    main = _must("domain", domain)
    comparisons = list(main.comparisons)
    if addresses:
        main.scos[0]["resolves_to_refs"] = [p.main_id for p in addresses]
        comparisons += [
            ("domain-name:resolves_to_refs[*].value", p.scos[0]["value"]) for p in addresses
        ]
    return Observable([*main.scos, *(s for p in addresses for s in p.scos)], comparisons)


def _connection(values: Values) -> Observable | None:
    src, dst = _first(values, "ip-src", "src-ip"), _first(values, "ip-dst", "dst-ip", "ip")
    if src is None and dst is None:
        return None
    traffic: dict[str, Any] = {}
    scos: list[dict[str, Any]] = []
    comparisons: list[Comparison] = []
    for side, address in (("src", src), ("dst", dst)):
        port = _first(values, f"{side}-port")
        if address is not None:
            part = _must("ip-dst", address)
            traffic[f"{side}_ref"] = part.main_id
            scos.extend(part.scos)
            comparisons.append((f"network-traffic:{side}_ref.value", part.scos[0]["value"]))
        if port is not None:
            traffic[f"{side}_port"] = int(port)
            comparisons.append((f"network-traffic:{side}_port", int(port)))
    protocol = _first(values, "layer4-protocol")
    traffic["protocols"] = [protocol.lower()] if protocol else ["ipv4"]
    built = {
        "type": "network-traffic",
        "spec_version": "2.1",
        "id": sco_id("network-traffic", traffic),
        **traffic,
    }
    return Observable([built, *scos], comparisons)


def _email(values: Values) -> Observable | None:
    message: dict[str, Any] = {"is_multipart": False}
    scos: list[dict[str, Any]] = []
    comparisons: list[Comparison] = []
    sender = _first(values, "from")
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
    subject = _first(values, "subject")
    if subject is not None:
        message["subject"] = subject
        comparisons.append(("email-message:subject", subject))
    if len(message) == 1:
        return None
    contributing: dict[str, Any] = {k: message[k] for k in ("from_ref", "subject") if k in message}
    built = {
        "type": "email-message",
        "spec_version": "2.1",
        "id": sco_id("email-message", contributing),
        **message,
    }
    return Observable([built, *scos], comparisons)


def _url(values: Values) -> Observable | None:
    url = _first(values, "url")
    return observable_for("url", url) if url is not None else None


TEMPLATES: Mapping[str, Callable[[Values], Observable | None]] = {
    "file": _file,
    "domain-ip": _domain_ip,
    "ip-port": _connection,
    "network-connection": _connection,
    "email": _email,
    "url": _url,
}
"""Templates converted to SCO graphs, by MISP object name."""


def convert_references(scope: EventScope, objects: list[dict[str, Any]], where: Where) -> None:
    """Turn every ``ObjectReference`` into a relationship between converted objects."""
    for index, obj in enumerate(objects):
        here = where.at(f"Object[{index}]")
        source = scope.stix_by_misp_uuid.get(str(obj.get("uuid")))
        refs = records(obj, "ObjectReference", here, limit=scope.context.limits.max_objects)
        for ref_index, ref in enumerate(refs):
            ref_where = here.at(f"ObjectReference[{ref_index}]")
            target = scope.stix_by_misp_uuid.get(str(ref.get("referenced_uuid")))
            if source is None or target is None:
                scope.problem(ref_where.error("reference to an object that was not converted"))
                continue
            kind = _relationship_type(text(ref, "relationship_type", ref_where, limit=128))
            ref_uuid = uuid_text(ref, "uuid", ref_where)
            seconds = timestamp(ref, "timestamp", ref_where, default=0)
            moment = stix_time(seconds) if seconds else scope.event_time
            relationship = {
                "type": "relationship",
                "id": f"relationship--{ref_uuid}",
                "spec_version": "2.1",
                "created": moment,
                "modified": moment,
                "relationship_type": kind,
                "source_ref": source,
                "target_ref": target,
            }
            scope.add(relationship, scope.narrowest(source, target))


def _relationship_type(raw: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in raw.strip().lower()).strip("-")
    return cleaned or "related-to"
