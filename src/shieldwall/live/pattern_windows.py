"""Full STIX patterns in the detect worker: each member's windows, saved with its alerts.

Indicators whose patterns are more than watchlist comparisons (docs/stix-patterns.md)
are matched by :mod:`shieldwall.detect.stix_pattern` in windows per member and pattern.
The windows live in the store, not in the worker, exactly as correlation state does
(:mod:`.correlation_checkpoint`): for each batch, inside the transaction that stores its
alerts, the worker takes the member's lock, loads the member's windows, feeds the batch's
events in order, and saves the windows back. So:

* a SIGKILL before the commit loses nothing: the batch is redelivered onto the windows
  saved before it;
* a SIGKILL after it doubles nothing: each observation is named by its event number, so a
  redelivered event is not counted again; it completes the same patterns as before, whose
  alerts have the same keys (``<member>:<sequence>:<indicator>``) and are stored once;
* replicas take turns per member (the lock), each starting from what the other saved.

The windows are saved in the correlation state table under ``stix:<member>`` (one row per
member beside its correlation row; no other reader).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shieldwall.detect.entities import extract
from shieldwall.detect.stix_pattern import PatternSet, PatternStates, StreamPattern, observation
from shieldwall.model.alert import NewAlert
from shieldwall.model.event import Event
from shieldwall.store.protocols import UnitOfWork

PatternLookup = Callable[[str], PatternSet]
"""The stream patterns of a member (its id); empty when it has none (yet)."""

Dedup = Callable[[Event, str], str]
"""The dedup key of an indicator's alert on an event."""

MAX_EVIDENCE_FIELDS = 500
MAX_TITLE = 200
MAX_MATCHED = 2000
STATE_PREFIX = "stix:"


@dataclass(frozen=True, slots=True)
class Pending:
    """An event of the batch that may advance some of its member's patterns."""

    sequence: int
    event: Event
    when: datetime
    objects: dict[str, dict[str, Any]]
    candidates: list[StreamPattern]


class PatternWatch:
    """The detect worker's side of the stream patterns: pick the events, then feed them."""

    def __init__(self, lookup: PatternLookup) -> None:
        self._lookup = lookup
        self.matches = 0
        self.cut = 0

    def watching(self, member: str) -> bool:
        """Whether the member has patterns (its events may be pending)."""
        return bool(len(self._lookup(member)))

    def pending(self, event: Event, sequence: int) -> Pending | None:
        """The event, when its member has patterns it could advance (it needs a time:
        windows run on event time)."""
        patterns = self._lookup(event.member or "")
        if not len(patterns) or event.timestamp is None:
            return None
        objects = observation(event.fields)
        candidates = patterns.candidates(objects) if objects else []
        if not candidates:
            return None
        return Pending(sequence, event, event.timestamp, objects, candidates)

    def feed(self, tx: UnitOfWork, batch: Sequence[Pending], dedup: Dedup) -> list[NewAlert]:
        """Feed the batch member by member onto the saved windows; the alerts it raises."""
        by_member: dict[str, list[Pending]] = {}
        for item in batch:
            by_member.setdefault(item.event.member or "", []).append(item)
        alerts: list[NewAlert] = []
        for member in sorted(by_member):
            tx.incidents.lock_member(member)
            key = state_key(member)
            states = PatternStates.restored(tx.correlations.load(key))
            for item in by_member[member]:
                done = states.observe(
                    member, item.candidates, item.objects, item.when, ident=item.sequence
                )
                alerts.extend(_alert(p, item, dedup) for p in done)
            tx.correlations.save(key, states.export())
            self.matches += states.counts.matches
            self.cut += states.counts.cut
        return alerts


def state_key(member: str) -> str:
    """The member's row in the state table (a digest when the id is too long for it)."""
    if len(STATE_PREFIX) + len(member) <= 64:
        return STATE_PREFIX + member
    return STATE_PREFIX + hashlib.sha256(member.encode()).hexdigest()[:40]


def _alert(pattern: StreamPattern, item: Pending, dedup: Dedup) -> NewAlert:
    event, member = item.event, item.event.member or ""
    return NewAlert(
        key=f"{member}:{item.sequence}:{pattern.indicator_id}",
        org_id=member,
        rule_id=pattern.indicator_id,
        rule_title=f"Indicator pattern: {pattern.text[:MAX_TITLE]}",
        level=pattern.level,
        tags=(),
        event_time=event.timestamp,
        source=f"{event.source.path}#{event.source.record_id}",
        matched={"pattern": pattern.text[:MAX_MATCHED]},
        event=dict(list(event.fields.items())[:MAX_EVIDENCE_FIELDS]),
        entities=extract(event.fields),
        kind="indicator",
        dedup_key=dedup(event, pattern.indicator_id),
    )
