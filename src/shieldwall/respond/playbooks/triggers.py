"""What starts a playbook: a matching alert, incident, campaign, indicator or sighting; a
schedule; or a person, by hand.

A trigger is kept beside the playbook (CACAO has no trigger object)::

    {"kind": "incident", "match": {"severity": "critical"}}
    {"kind": "schedule", "every": 3600}

``match`` is a set of field equalities on the subject (a list value: any of). Each
trigger start has a key (the kind, the subject's id or the schedule's slot, the
playbook), unique in the store, so an event delivered twice starts one run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from shieldwall.model.errors import InputError

EVENT_KINDS = frozenset({"alert", "incident", "campaign", "indicator", "sighting"})
MIN_EVERY = 60
MAX_TRIGGERS = 20


def check_triggers(value: Any) -> list[dict[str, Any]]:
    """The triggers, checked; InputError naming the first that is not one."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_TRIGGERS:
        raise InputError(f"triggers are a list of at most {MAX_TRIGGERS}", place="triggers")
    return [_check(item, index) for index, item in enumerate(value)]


def _check(item: Any, index: int) -> dict[str, Any]:
    place = f"triggers[{index}]"
    if not isinstance(item, Mapping):
        raise InputError("a trigger is an object", place=place)
    kind = item.get("kind")
    if kind == "schedule":
        every = item.get("every")
        if not isinstance(every, int) or isinstance(every, bool) or every < MIN_EVERY:
            raise InputError(f"every is whole seconds, at least {MIN_EVERY}", place=place)
        return {"kind": kind, "every": every}
    if kind not in EVENT_KINDS:
        raise InputError(f"kind is schedule or one of {sorted(EVENT_KINDS)}", place=place)
    match = item.get("match", {})
    if not isinstance(match, Mapping) or len(match) > 20:
        raise InputError("match is an object of at most 20 fields", place=place)
    for name, wanted in match.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        if not all(isinstance(v, (str, int, bool)) for v in values):
            raise InputError(f"match.{name} is a value or a list of values", place=place)
    return {"kind": kind, "match": dict(match)}


def matches(trigger: Mapping[str, Any], kind: str, subject: Mapping[str, Any]) -> bool:
    """Whether an event of ``kind`` about ``subject`` fires the trigger."""
    if trigger.get("kind") != kind:
        return False
    for name, wanted in dict(trigger.get("match", {})).items():
        values = wanted if isinstance(wanted, list) else [wanted]
        if subject.get(name) not in values:
            return False
    return True


def schedule_slots(triggers: Sequence[Mapping[str, Any]], now: datetime) -> list[int]:
    """The current slot of each schedule trigger (a slot starts one run)."""
    stamp = int(now.timestamp())
    return [stamp // int(t["every"]) for t in triggers if t.get("kind") == "schedule"]
