"""Sightings, event reports, analyst notes and opinions → STIX (M9, M10).

Sighting type 0 is a STIX ``sighting``; type 1 (false positive) an ``opinion`` that
strongly disagrees; type 2 (expiration) a ``note``. A sighting without an organisation is
anonymous and stays so: no ``where_sighted_refs``, no ``created_by_ref``. Sightings take
the policy's sighting audience (the importing organisation, TLP:AMBER+STRICT, whatever the
sighted indicator's level, ``tlp-policy.md`` rule c). Event reports and notes become
``note``s and opinions ``opinion``s, their text sanitised (M12).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall.policy.derived import describe_sighting
from shieldwall.share.misp.fields import (
    Where,
    integer,
    mapping,
    records,
    stix_time,
    text,
    uuid_text,
)
from shieldwall.share.misp.fields import timestamp as read_timestamp
from shieldwall.share.misp.ids import org_identity_id
from shieldwall.share.misp.scope import EventScope, Sharing
from shieldwall.share.misp.text import sanitise_text

SIGHTING, FALSE_POSITIVE, EXPIRATION = 0, 1, 2
OPINION_SCALE: tuple[tuple[int, str], ...] = (
    (20, "strongly-disagree"),
    (40, "disagree"),
    (60, "neutral"),
    (80, "agree"),
    (101, "strongly-agree"),
)


def convert_sightings(
    scope: EventScope, entity: Mapping[str, Any], where: Where, default_target: str | None
) -> None:
    """Convert the ``Sighting`` list of an event or attribute."""
    limit = scope.context.limits.max_sightings
    for index, sighting in enumerate(records(entity, "Sighting", where, limit=limit)):
        here = where.at(f"Sighting[{index}]")
        target = scope.stix_by_misp_uuid.get(str(sighting.get("attribute_uuid")), default_target)
        if target is None:
            scope.problem(here.error("sighting of an attribute that was not converted"))
            continue
        scope.isolated(_one_sighting, sighting, here, target)


def _one_sighting(scope: EventScope, sighting: Mapping[str, Any], here: Where, target: str) -> None:
    kind = integer(sighting, "type", here, default=SIGHTING)
    if kind not in (SIGHTING, FALSE_POSITIVE, EXPIRATION):
        raise here.at("type").error(f"unknown sighting type {kind}")
    _sighting(scope, sighting, here, kind, target)


def _sighting(
    scope: EventScope, sighting: Mapping[str, Any], where: Where, kind: int, target: str
) -> None:
    sighting_uuid = uuid_text(sighting, "uuid", where)
    seconds = read_timestamp(sighting, "date_sighting", where, default=0)
    moment = stix_time(seconds) if seconds else scope.event_time
    org = mapping(sighting, "Organisation", where)
    org_uuid = str(org.get("uuid") or "")
    base: dict[str, Any] = {"spec_version": "2.1", "created": moment, "modified": moment}
    if org_uuid:
        identity = _identity(scope, org, where.at("Organisation"), moment)
        base["created_by_ref"] = identity
    if kind == SIGHTING:
        obj = {
            "type": "sighting",
            "id": f"sighting--{sighting_uuid}",
            **base,
            "sighting_of_ref": target,
            "count": 1,
            "first_seen": moment,
            "last_seen": moment,
        }
        if org_uuid:
            obj["where_sighted_refs"] = [base["created_by_ref"]]
        source = text(sighting, "source", where, limit=1024)
        if source:
            obj["description"] = sanitise_text(source)
    elif kind == FALSE_POSITIVE:
        obj = {
            "type": "opinion",
            "id": f"opinion--{sighting_uuid}",
            **base,
            "opinion": "strongly-disagree",
            "object_refs": [target],
            "explanation": "false positive (MISP sighting)",
        }
    else:
        obj = {
            "type": "note",
            "id": f"note--{sighting_uuid}",
            **base,
            "abstract": "expiration",
            "content": f"expired at {moment} (MISP sighting)",
            "object_refs": [target],
        }
    scope.add_plain(obj, describe_sighting(str(obj["id"]), scope.context.owner_org_id))


def _identity(scope: EventScope, org: Mapping[str, Any], where: Where, moment: str) -> str:
    org_uuid = uuid_text(org, "uuid", where)
    identity_id = org_identity_id(org_uuid)
    name = sanitise_text(text(org, "name", where, limit=1024)) or org_uuid
    identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": identity_id,
        "created": moment,
        "modified": moment,
        "name": name,
        "identity_class": "organization",
        "x_misp_org_uuid": org_uuid,
    }
    scope.add_plain(identity, describe_sighting(identity_id, scope.context.owner_org_id))
    return identity_id


def convert_reports(scope: EventScope, event: Mapping[str, Any], where: Where) -> None:
    """Event reports (markdown) become notes about the event."""
    limit = scope.context.limits.max_reports
    for index, report in enumerate(records(event, "EventReport", where, limit=limit)):
        here = where.at(f"EventReport[{index}]")
        scope.isolated(_report, report, here)


def _report(scope: EventScope, report: Mapping[str, Any], here: Where) -> None:
    report_uuid = uuid_text(report, "uuid", here)
    seconds = read_timestamp(report, "timestamp", here, default=0)
    moment = stix_time(seconds) if seconds else scope.event_time
    content = text(report, "content", here, limit=scope.context.limits.max_text_chars)
    note = {
        "type": "note",
        "id": f"note--{report_uuid}",
        "spec_version": "2.1",
        "created": moment,
        "modified": moment,
        "abstract": sanitise_text(text(report, "name", here, limit=1024)),
        "content": sanitise_text(content) or "-",
        "object_refs": [scope.report_id],
        "x_misp_event_report": True,
    }
    scope.add(note, scope.sharing)


def convert_analyst_data(
    scope: EventScope, entity: Mapping[str, Any], where: Where, target: str, sharing: Sharing
) -> None:
    """MISP 2.5 analyst ``Note`` and ``Opinion`` entries on an event or attribute."""
    limit = scope.context.limits.max_reports
    for index, item in enumerate(records(entity, "Note", where, limit=limit)):
        here = where.at(f"Note[{index}]")
        scope.isolated(_note, item, here, target, sharing)
    for index, item in enumerate(records(entity, "Opinion", where, limit=limit)):
        here = where.at(f"Opinion[{index}]")
        scope.isolated(_opinion, item, here, target, sharing)


def _note(
    scope: EventScope, item: Mapping[str, Any], here: Where, target: str, sharing: Sharing
) -> None:
    content = text(item, "note", here, limit=scope.context.limits.max_text_chars)
    scope.add(
        {
            "type": "note",
            **_analyst_base(scope),
            "id": f"note--{uuid_text(item, 'uuid', here)}",
            "content": sanitise_text(content) or "-",
            "object_refs": [target],
        },
        sharing,
    )


def _opinion(
    scope: EventScope, item: Mapping[str, Any], here: Where, target: str, sharing: Sharing
) -> None:
    value = integer(item, "opinion", here, default=50)
    opinion = {
        "type": "opinion",
        **_analyst_base(scope),
        "id": f"opinion--{uuid_text(item, 'uuid', here)}",
        "opinion": opinion_word(value),
        "object_refs": [target],
    }
    comment = sanitise_text(text(item, "comment", here, limit=65536))
    if comment:
        opinion["explanation"] = comment
    scope.add(opinion, sharing)


def _analyst_base(scope: EventScope) -> dict[str, Any]:
    """Analyst data carries free-form dates; the event's time is the dependable one."""
    return {"spec_version": "2.1", "created": scope.event_time, "modified": scope.event_time}


def opinion_word(value: int) -> str:
    """MISP's 0–100 opinion on the STIX five-point scale."""
    for upper, word in OPINION_SCALE:
        if value < upper:
            return word
    return "strongly-agree"


def opinion_value(word: str) -> int:
    """The STIX opinion back to the middle of its MISP band."""
    middles = {w: max(0, upper - 10) for upper, w in OPINION_SCALE}
    middles["strongly-agree"] = 100
    middles["strongly-disagree"] = 0
    return middles.get(word, 50)
