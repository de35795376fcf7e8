"""The detect stage of the live pipeline: events off the bus, alerts into the store.

The same engine as ``shieldwall scan`` (one Sigma engine, not two). A worker fetches a
batch from its durable consumer, matches each event, stores the alerts in one write
transaction, announces each hit on ``alerts.raised`` for the fuse stage, and only then
acknowledges the batch. Events come in packs (:mod:`.event_packs`); each alert's key is
the member, the event's number (from the pack's bus sequence) and the rule, enforced
unique by the database: a crash between the
store and the acknowledgement redelivers the batch, and storing it again changes nothing.
Replicas sharing the consumer (NATS JetStream) split the messages; if two ever see the
same message, the key still leaves one alert. With :class:`LiveRules` (the managed rule
sets), each step first asks, once per poll interval, whether the rule sets changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from shieldwall.bus.protocol import Bus, Consumer, Delivery
from shieldwall.detect.correlate import CorrelationEngine
from shieldwall.detect.engine import Engine
from shieldwall.detect.watchlist import Matcher
from shieldwall.live.alert_facts import EventFacts, dedup_key
from shieldwall.live.correlation_checkpoint import Routed, correlate
from shieldwall.live.event_packs import MAX_PACK_EVENTS, fetch_size, unpack
from shieldwall.live.indicator_alerts import SightingSink, WatchLookup, indicator_alerts
from shieldwall.live.pattern_windows import PatternLookup, PatternWatch, Pending
from shieldwall.live.rule_sets import LiveRules
from shieldwall.live.tool_alerts import alert_of
from shieldwall.live.wire import (
    ALERTS_SUBJECT,
    EVENTS_SUBJECT,
    MAX_HITS_PER_MESSAGE,
    TOOL_ALERT,
    encode_hits,
)
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.model.detection import Detection
from shieldwall.model.errors import InputError
from shieldwall.model.event import Event
from shieldwall.store.protocols import Store

log = logging.getLogger(__name__)

CONSUMER = "detect"
MemberView = tuple[CorrelationEngine | None, Matcher | None, bool]
"""A member's correlation router, watchlist matcher, and whether it has STIX patterns."""


@dataclass(slots=True)
class WorkerCounts:
    """What a worker has done since it started."""

    events: int = 0
    alerts: int = 0
    unreadable: int = 0


class DetectWorker:
    """Matches the members' events against the centre's rules, durably."""

    def __init__(
        self,
        bus: Bus,
        store: Store,
        engine: Engine | LiveRules,
        *,
        batch: int = 500,
        subject: str = EVENTS_SUBJECT,
        dedup_seconds: int = 3600,
        alerts_subject: str = ALERTS_SUBJECT,
        watchlist: WatchLookup | None = None,
        sightings: SightingSink | None = None,
        patterns: PatternLookup | None = None,
    ) -> None:
        """``watchlist`` gives a member's watchlist: its hits are indicator alerts;
        ``patterns`` its indicators' full STIX patterns, matched in windows per member.

        ``sightings`` is told, once a batch is stored and acknowledged, of the indicator
        alerts stored for the first time (a redelivered batch tells it nothing again); it
        runs on a thread of its own and must not raise.
        """
        self._bus = bus
        self._subject = subject
        self._store = store
        self._engine = engine
        self._batch = batch
        self._dedup = dedup_seconds
        self._alerts_subject = alerts_subject
        self._watchlist = watchlist
        self._sightings = sightings
        self.patterns = PatternWatch(patterns) if patterns is not None else None
        self.counts = WorkerCounts()
        self._seen = (0, 0)
        """Events and messages the last batch held: the events per message a fetch expects."""

    async def consumer(self) -> Consumer:
        """The durable consumer all detect replicas share."""
        return await self._bus.consumer(self._subject, CONSUMER)

    async def step(self, consumer: Consumer, *, timeout: float = 1.0) -> int:
        """Process one fetched batch; how many messages it held (0 when none came)."""
        if isinstance(self._engine, LiveRules) and self._engine.due():
            await asyncio.to_thread(self._engine.refresh)  # a rule change, without a restart
        wanted = fetch_size(self._batch, self._seen, MAX_PACK_EVENTS)
        deliveries = await consumer.fetch(wanted, timeout=timeout)
        if not deliveries:
            return 0
        alerts, routed, pending = self._match(deliveries)
        fresh, again = await asyncio.to_thread(self._store_alerts, alerts, routed, pending)
        await self._raise(alerts, again)
        await consumer.ack(*deliveries)
        if fresh and self._sightings is not None:
            await asyncio.to_thread(self._sightings, fresh)
        return len(deliveries)

    async def run(self, stop: asyncio.Event) -> None:
        """Process batches until ``stop`` is set; unacknowledged work is redelivered."""
        consumer = await self.consumer()
        try:
            while not stop.is_set():
                await self.step(consumer, timeout=0.5)
        finally:
            await consumer.close()

    def _unpacked(self, deliveries: Sequence[Delivery]) -> list[tuple[int, Event]]:
        """Every readable event of the deliveries with its number; the rest counted."""
        found: list[tuple[int, Event]] = []
        for delivery in deliveries:
            for number, event in unpack(delivery.sequence, delivery.payload):
                if isinstance(event, InputError):
                    self.counts.unreadable += 1
                    where = f"message {delivery.sequence} (event {number})"
                    log.warning("%s of %s skipped: %s", where, self._subject, event)
                else:
                    found.append((number, event))
        self._seen = (len(found), len(deliveries))
        return found

    def _match(
        self, deliveries: Sequence[Delivery]
    ) -> tuple[list[NewAlert], list[Routed], list[Pending]]:
        """The batch's alerts, the detections its correlations take and the events its
        members' STIX patterns take (both fed when stored)."""
        alerts: list[NewAlert] = []
        routed: list[Routed] = []
        pending: list[Pending] = []
        members: dict[str, MemberView] = {}  # looked up once per member and batch
        for number, event in self._unpacked(deliveries):
            self.counts.events += 1
            if TOOL_ALERT in event.extra:  # a member's own tool found it: not matched again
                alerts.append(self._tool_alert(event))
                continue
            member = event.member or ""
            view = members.get(member)
            if view is None:
                view = members[member] = self._member_view(member)
            router, matcher, patterns = view
            facts = None  # most events raise nothing: their facts are never built
            for detection in self._engine.match(event):
                name = detection.rule_name
                if router is not None and router.routes(detection.rule_id, name):
                    routed.append((number, detection, event))
                if router is None or router.emits_base(detection.rule_id, name):
                    facts = facts or EventFacts(event, self._dedup)
                    alerts.append(facts.alert(detection, number))
            hits = matcher.match(event.fields) if matcher is not None else None
            if hits:
                facts = facts or EventFacts(event, self._dedup)
                alerts.extend(indicator_alerts(hits, facts, number))
            if patterns and self.patterns is not None:
                taken = self.patterns.pending(event, number)
                if taken is not None:
                    pending.append(taken)
        return alerts, routed, pending

    def _member_view(self, member: str) -> MemberView:
        """What a member's events meet besides the rules: its correlation router, its
        watchlist's matcher, and whether it has STIX patterns."""
        router = self._engine.router(member) if isinstance(self._engine, LiveRules) else None
        matcher = self._watchlist(member) if self._watchlist is not None else None
        return router, matcher, self.patterns is not None and self.patterns.watching(member)

    def _correlation_alert(self, detection: Detection, event: Event, sequence: int) -> NewAlert:
        return EventFacts(event, self._dedup).alert(detection, sequence)

    def _tool_alert(self, event: Event) -> NewAlert:
        member = event.member or ""

        def dedup(rule_id: str, entities: Entities) -> str:
            return dedup_key(member, rule_id, entities, event, self._dedup)

        return alert_of(event, dedup)

    def _pattern_dedup(self, event: Event, indicator_id: str) -> str:
        return EventFacts(event, self._dedup).dedup(indicator_id)

    async def _raise(
        self, alerts: Sequence[NewAlert], again: Sequence[tuple[str, str]] = ()
    ) -> None:
        """Tell the fuse stage of every hit of the batch, stored now or before a crash.

        The hits travel together, :data:`MAX_HITS_PER_MESSAGE` a message, each message
        keyed by a digest of its hits' keys: a redelivered batch whose hits come out the
        same adds no message, and one that differs only names hits the fuse stage finds
        already fused. Published only once stored, so the fuse stage always finds the hit.
        """
        named = [(alert.key, alert.org_id) for alert in alerts]
        named += again
        messages = []
        for first in range(0, len(named), MAX_HITS_PER_MESSAGE):
            hits = named[first : first + MAX_HITS_PER_MESSAGE]
            digest = hashlib.sha256("\n".join(key for key, _ in hits).encode()).hexdigest()
            messages.append((f"hits:{digest[:40]}", encode_hits(hits)))
        if messages:
            await self._bus.publish_many(self._alerts_subject, messages)

    def _store_alerts(
        self,
        alerts: list[NewAlert],
        routed: Sequence[Routed] = (),
        pending: Sequence[Pending] = (),
    ) -> tuple[list[NewAlert], list[tuple[str, str]]]:
        """Store the batch's alerts, with the correlation state and alerts and the pattern
        windows and alerts (appended to ``alerts``): the indicator alerts stored for the
        first time, and the correlation alerts raised before a crash, to announce again."""
        if not alerts and not routed and not pending:
            return [], []
        again: list[tuple[str, str]] = []
        with self._store.transaction() as tx:
            if routed and pending:  # one order for every member lock: no deadlock
                members = {item[2].member or "" for item in routed}
                for member in sorted(members | {item.event.member or "" for item in pending}):
                    tx.incidents.lock_member(member)
            if routed and isinstance(self._engine, LiveRules):
                fired, again = correlate(tx, self._engine, routed, self._correlation_alert)
                alerts.extend(fired)
            if pending and self.patterns is not None:
                alerts.extend(self.patterns.feed(tx, pending, self._pattern_dedup))
            claimed = tx.alerts.claim(alerts)  # stored now, not before a crash
            self.counts.alerts += len(claimed)
        fresh = [a for a in alerts if a.kind == "indicator" and a.key in claimed]
        return fresh, again
