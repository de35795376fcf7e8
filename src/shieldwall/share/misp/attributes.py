"""MISP attributes → STIX (M6): ``to_ids`` makes an indicator, otherwise observed-data.

The indicator's pattern is generated from the observable table and validated with
stix2-patterns; a value that yields no valid pattern is a problem for that attribute only.
Signature types (yara, snort, sigma, …) become indicators in their own pattern language;
``vulnerability`` becomes a vulnerability SDO; any other type that is not an observable is
kept as a ``note`` (its MISP type, category and ``to_ids`` beside it) so nothing is
silently dropped. Attachment ``data`` never enters STIX:
it is handed back undecoded in the result (M12).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shieldwall.share.misp.audience import read_distribution
from shieldwall.share.misp.fields import Where, flag, stix_time, text, timestamp, uuid_text
from shieldwall.share.misp.observables import Observable, observable_for
from shieldwall.share.misp.patterns import format_pattern, pattern_errors
from shieldwall.share.misp.scope import EventScope, Sharing
from shieldwall.share.misp.tags import read_tags
from shieldwall.share.misp.text import sanitise_text

SIGNATURE_TYPES = frozenset({"yara", "snort", "suricata", "sigma", "pcre"})
ATTACHMENT_TYPES = frozenset({"attachment", "malware-sample"})
_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$", re.IGNORECASE)


def attribute_sharing(
    scope: EventScope, attr: Mapping[str, Any], where: Where, parent: Sharing
) -> Sharing:
    """The attribute's audience and tags, never wider than its parent's."""
    audience = read_distribution(attr, where, scope.context, parent.audience)
    tags = read_tags(attr, where, scope.context.limits).under(parent.tags)
    return Sharing(audience, tags)


def convert_attribute(
    scope: EventScope,
    attr: Mapping[str, Any],
    where: Where,
    parent: Sharing,
    extra: Mapping[str, Any] | None = None,
) -> str | None:
    """Convert one attribute; returns its main STIX id, or None when it was skipped."""
    attr_uuid = uuid_text(attr, "uuid", where)
    misp_type = text(attr, "type", where, limit=128)
    value = text(attr, "value", where, limit=scope.limits_value)
    sharing = attribute_sharing(scope, attr, where, parent)
    seconds = timestamp(attr, "timestamp", where, default=0)
    base = _base(scope, attr, where, misp_type, seconds, sharing, extra)
    if misp_type in ATTACHMENT_TYPES and isinstance(attr.get("data"), str):
        scope.result.attachments[attr_uuid] = str(attr["data"])
    try:
        observable = observable_for(misp_type, value)
    except ValueError as error:
        scope.problem(where.at("value").error(f"not a valid {misp_type}: {error}"))
        return None
    to_ids = flag(attr, "to_ids", where)
    if observable is not None:
        return _observable(scope, attr_uuid, base, observable, to_ids, sharing, where)
    stix_id = _non_observable(scope, attr_uuid, base, misp_type, value, to_ids, sharing)
    scope.stix_by_misp_uuid[attr_uuid] = stix_id
    return stix_id


def _base(
    scope: EventScope,
    attr: Mapping[str, Any],
    where: Where,
    misp_type: str,
    seconds: int,
    sharing: Sharing,
    extra: Mapping[str, Any] | None,
) -> dict[str, Any]:
    moment = stix_time(seconds) if seconds else scope.event_time
    base: dict[str, Any] = {"spec_version": "2.1", "created": moment, "modified": moment}
    comment = sanitise_text(text(attr, "comment", where, limit=scope.context.limits.max_text_chars))
    if comment:
        base["description"] = comment
    if sharing.tags.labels:
        base["labels"] = list(sharing.tags.labels)
    if sharing.tags.confidence is not None:
        base["confidence"] = sharing.tags.confidence
    base["x_misp_type"] = misp_type
    category = text(attr, "category", where, limit=128)
    if category:
        base["x_misp_category"] = category
    base.update(extra or {})
    return base


def _observable(
    scope: EventScope,
    attr_uuid: str,
    base: dict[str, Any],
    observable: Observable,
    to_ids: bool,
    sharing: Sharing,
    where: Where,
) -> str | None:
    if to_ids:
        pattern = format_pattern(observable.comparisons)
        errors = pattern_errors(pattern)
        if errors:
            scope.problem(where.at("value").error(f"pattern {pattern!r} invalid: {errors[0]}"))
            return None
        indicator = {
            "type": "indicator",
            "id": f"indicator--{attr_uuid}",
            **base,
            "pattern": pattern,
            "pattern_type": "stix",
            "valid_from": base["created"],
        }
        stix_id = scope.add(indicator, sharing)
    else:
        for sco in observable.scos:
            scope.add(sco, sharing, sco=True)
        observed = {
            "type": "observed-data",
            "id": f"observed-data--{attr_uuid}",
            **base,
            "first_observed": base["created"],
            "last_observed": base["created"],
            "number_observed": 1,
            "object_refs": [s["id"] for s in observable.scos],
        }
        stix_id = scope.add(observed, sharing)
    scope.stix_by_misp_uuid[attr_uuid] = stix_id
    return stix_id


def _non_observable(
    scope: EventScope,
    attr_uuid: str,
    base: dict[str, Any],
    misp_type: str,
    value: str,
    to_ids: bool,
    sharing: Sharing,
) -> str:
    if misp_type in SIGNATURE_TYPES and to_ids:
        indicator = {
            "type": "indicator",
            "id": f"indicator--{attr_uuid}",
            **base,
            "pattern": value,
            "pattern_type": misp_type,
            "valid_from": base["created"],
        }
        return scope.add(indicator, sharing)
    if misp_type == "stix2-pattern" and to_ids and not pattern_errors(value):
        indicator = {
            "type": "indicator",
            "id": f"indicator--{attr_uuid}",
            **base,
            "pattern": value,
            "pattern_type": "stix",
            "valid_from": base["created"],
        }
        return scope.add(indicator, sharing)
    if misp_type == "vulnerability":
        vulnerability = {
            "type": "vulnerability",
            "id": f"vulnerability--{attr_uuid}",
            **base,
            "name": value,
        }
        if _CVE.match(value):
            vulnerability["external_references"] = [
                {"source_name": "cve", "external_id": value.upper()}
            ]
        return scope.add(vulnerability, sharing)
    note = {
        "type": "note",
        "id": f"note--{attr_uuid}",
        **base,
        "abstract": f"MISP {misp_type} attribute",
        "content": sanitise_text(value) or "-",
        "object_refs": [scope.report_id],
    }
    if to_ids:
        note["x_misp_to_ids"] = True  # kept, so the attribute leaves as an IDS attribute again
    return scope.add(note, sharing)
