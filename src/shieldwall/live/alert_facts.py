"""What every alert of one event shares, worked out once per event, not once per alert.

An event that matches the SigmaHQ set often matches several rules (on the EVTX corpus,
5,482 detections come from far fewer events), and each alert carries the same evidence,
entities, source and dedup window: reading the entities alone (IP parsing, hash and
domain checks) cost more than matching the event. :class:`EventFacts` computes each on
first use and keeps it for the event's other alerts; the alerts share the evidence and
entities objects, which nothing mutates (:class:`NewAlert` is frozen, the store only
reads them).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from shieldwall.detect.entities import extract, techniques
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.detection import Detection
from shieldwall.model.event import Event

MAX_EVIDENCE_FIELDS = 500


class EventFacts:
    """One event's share of its alerts: member, evidence, entities, source, window."""

    __slots__ = ("_entities", "_evidence", "_source", "event", "member", "window")

    def __init__(self, event: Event, window: int) -> None:
        self.event = event
        self.member = event.member or ""
        self.window = window
        self._entities: Entities | None = None
        self._evidence: dict[str, object] | None = None
        self._source = ""

    @property
    def entities(self) -> Entities:
        """The hosts, users, IPs, hashes and domains the event names."""
        if self._entities is None:
            self._entities = extract(self.event.fields)
        return self._entities

    @property
    def evidence(self) -> dict[str, object]:
        """The event's first :data:`MAX_EVIDENCE_FIELDS` fields."""
        if self._evidence is None:
            fields = self.event.fields
            if len(fields) <= MAX_EVIDENCE_FIELDS:
                self._evidence = dict(fields)
            else:
                self._evidence = dict(list(fields.items())[:MAX_EVIDENCE_FIELDS])
        return self._evidence

    @property
    def source(self) -> str:
        """Where the event came from: the sensor's batch and line."""
        if not self._source:
            ref = self.event.source
            self._source = f"{ref.path}#{ref.record_id}"
        return self._source

    def dedup(self, rule_id: str) -> str:
        """The dedup key of the event's alert of ``rule_id`` (see :func:`dedup_key`)."""
        return dedup_key(self.member, rule_id, self.entities, self.event, self.window)

    def alert(self, detection: Detection, sequence: int) -> NewAlert:
        """The alert of one detection of the event, the event numbered ``sequence``
        (:mod:`.event_packs`)."""
        return NewAlert(
            key=f"{self.member}:{sequence}:{detection.rule_id}",
            org_id=self.member,
            rule_id=detection.rule_id,
            rule_title=detection.rule_title,
            level=detection.level.name.lower(),
            tags=detection.tags,
            event_time=self.event.timestamp,
            source=self.source,
            matched=dict(detection.matched),
            event=self.evidence,
            entities=self.entities,
            techniques=techniques_of(detection.tags),
            kind=detection.kind,
            dedup_key=self.dedup(detection.rule_id),
        )


@lru_cache(maxsize=4096)
def techniques_of(tags: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`~shieldwall.detect.entities.techniques`, once per rule's tags."""
    return techniques(tags)


def dedup_key(member: str, rule_id: str, entities: Entities, event: Event, window: int) -> str:
    """Same member, rule, host and user in the same window of ``window`` seconds: one key.

    The window is fixed (event time divided by the window), so the key depends on the
    event alone, never on the order or time of arrival. Empty (no deduplication) when
    the window is 0 or the event has no time.
    """
    if window <= 0 or event.timestamp is None:
        return ""
    bucket = int(event.timestamp.timestamp() // window)
    host = entities.hosts[0] if entities.hosts else ""
    user = entities.users[0] if entities.users else ""
    parts = "\x00".join((member, rule_id, host, user, str(window), str(bucket)))
    return "dedup:" + hashlib.sha256(parts.encode()).hexdigest()
