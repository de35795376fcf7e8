"""A correlation engine's state as JSON values, and back: what the live pipeline persists.

The live detect worker keeps correlation state in the store (windows, counts, the steps
of a temporal order) so that a restart, or another replica, carries on where the last
checkpoint left it. Each correlation's state is one JSON value per group: its window's
entries (time, order, value, the detection) or its in-order chains; aggregates are rebuilt
by adding the entries' values again, so they never need a format of their own.
Group keys and values are what :func:`~.spec.hashable` makes (scalars and tuples), so a
JSON list always reads back as a tuple.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import Any

from shieldwall.detect.correlate.correlator import Correlator, GroupKey, SequenceCorrelator
from shieldwall.detect.correlate.window import Chain, Entry, GroupWindow, SequenceGroup
from shieldwall.model.detection import Detection, Level
from shieldwall.model.event import Event, SourceRef

State = dict[str, Any]


def correlator_state(correlator: Correlator | SequenceCorrelator) -> State:
    """One correlation's groups as JSON values (empty groups: nothing)."""
    if isinstance(correlator, SequenceCorrelator):
        return {
            "groups": [
                [_key(key), group.newest, [_chain(chain) for chain in group.chains]]
                for key, group in correlator._groups.items()
            ]
        }
    return {
        "seq": correlator._seq,
        "groups": [
            [_key(key), [_entry(entry) for entry in window.live()]]
            for key, window in correlator._groups.items()
            if len(window)
        ],
    }


def restore_correlator(correlator: Correlator | SequenceCorrelator, state: State) -> None:
    """Put back what :func:`correlator_state` gave, in the same group order."""
    correlator._groups.clear()
    if isinstance(correlator, SequenceCorrelator):
        for key, newest, chains in state.get("groups", []):
            group = SequenceGroup(len(chains))
            group.newest = int(newest)
            group.chains = [_read_chain(chain) for chain in chains]
            correlator._groups[_read_key(key)] = group
        return
    correlator._seq = int(state.get("seq", 0))
    for key, entries in state.get("groups", []):
        window = GroupWindow(correlator._aggregate())
        for time, seq, value, detection in entries:
            window.add(Entry(int(time), int(seq), _read_value(value), _read_detection(detection)))
        correlator._groups[_read_key(key)] = window


def _key(key: GroupKey) -> list[Any]:
    return [_value(part) for part in key]


def _read_key(parts: list[Any]) -> GroupKey:
    return tuple(_read_value(part) for part in parts)


def _value(value: Hashable) -> Any:
    if isinstance(value, tuple):
        return [_value(item) for item in value]
    return value


def _read_value(value: Any) -> Hashable:
    if isinstance(value, list):
        return tuple(_read_value(item) for item in value)
    return value  # type: ignore[no-any-return]


def _entry(entry: Entry) -> list[Any]:
    return [entry.time, entry.seq, _value(entry.value), detection_json(entry.detection)]


def _chain(chain: Chain | None) -> list[Any] | None:
    if chain is None:
        return None
    return [chain.start, chain.last, [detection_json(d) for d in chain.detections]]


def _read_chain(chain: list[Any] | None) -> Chain | None:
    if chain is None:
        return None
    start, last, detections = chain
    return Chain(int(start), int(last), tuple(_read_detection(d) for d in detections))


def detection_json(detection: Detection) -> State:
    """A detection (and the events behind it) as a JSON value."""
    return {
        "rule_id": detection.rule_id,
        "title": detection.rule_title,
        "level": int(detection.level),
        "tags": list(detection.tags),
        "time": detection.timestamp.isoformat() if detection.timestamp else None,
        "source": _source(detection.source),
        "matched": detection.matched,
        "event": _event(detection.event) if detection.event is not None else None,
        "rule_name": detection.rule_name,
        "kind": detection.kind,
        "group": detection.group,
        "events": [_event(event) for event in detection.events],
        "count": detection.count,
    }


def _read_detection(body: State) -> Detection:
    return Detection(
        rule_id=body["rule_id"],
        rule_title=body["title"],
        level=Level(body["level"]),
        tags=tuple(body["tags"]),
        timestamp=_time(body["time"]),
        source=_read_source(body["source"]),
        matched=dict(body["matched"]),
        event=_read_event(body["event"]) if body["event"] is not None else None,
        rule_name=body["rule_name"],
        kind=body["kind"],
        group=dict(body["group"]),
        events=tuple(_read_event(event) for event in body["events"]),
        count=body["count"],
    )


def _source(source: SourceRef | None) -> list[Any] | None:
    return None if source is None else [source.path, source.record_id]


def _read_source(body: list[Any] | None) -> SourceRef | None:
    return None if body is None else SourceRef(str(body[0]), body[1])


def _event(event: Event) -> State:
    return {
        "fields": event.fields,
        "source": _source(event.source),
        "time": event.timestamp.isoformat() if event.timestamp else None,
        "format": event.format,
        "member": event.member,
    }


def _read_event(body: State) -> Event:
    source = _read_source(body["source"]) or SourceRef("")
    return Event(dict(body["fields"]), source, _time(body["time"]), body["format"], body["member"])


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
