"""Telemetry into the centre: a sensor's batch read, normalised, and made durable on the bus.

The answer a sensor gets is sent only once every accepted record is on the bus (the bus
acknowledges a publish only when it is durable), so an acknowledged record is never lost.
Records travel in packs (:mod:`.event_packs`), each keyed by the member, the batch and
its first line: a sensor that sends the same batch again (after a timeout, with the same
``Idempotency-Key`` or the same bytes) adds nothing. The member is the caller's
organisation, taken from its token by the gate; nothing in the payload can name another.
Alerts of a member's own tools (``shieldwall scan`` JSONL, Suricata EVE ``alert``) travel
as alerts (:mod:`.tool_alerts`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from shieldwall.bus.protocol import Bus
from shieldwall.ingest.intake import RefusedLine, decompress, iter_batch
from shieldwall.live.detect_worker import CONSUMER as DETECT_CONSUMER
from shieldwall.live.event_packs import pack
from shieldwall.live.limits import IngestLimits
from shieldwall.live.tool_alerts import tool_alert, tool_event
from shieldwall.live.wire import EVENTS_SUBJECT, encode_event
from shieldwall.model.errors import InputError
from shieldwall.model.event import Event, RawRecord, RecordFormat
from shieldwall.model.identity import Principal
from shieldwall.normalise import normalise
from shieldwall.policy.alerts import require_telemetry

BusSource = Callable[[], Awaitable[Bus]]
"""Gives the bus to publish on (opened for the running event loop)."""

MAX_BATCH_KEY = 64


@dataclass(slots=True)
class IngestReport:
    """What became of a batch: how many records are durable, and each line refused."""

    accepted: int = 0
    refused: list[RefusedLine] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The answer's body."""
        return {
            "accepted": self.accepted,
            "refused": len(self.refused),
            "refusals": [{"line": r.line, "reason": r.reason} for r in self.refused[:1000]],
        }


@dataclass(frozen=True, slots=True)
class IngestDesk:
    """Accepts members' telemetry batches onto the bus."""

    bus: BusSource
    subject: str = EVENTS_SUBJECT
    limits: IngestLimits = field(default_factory=IngestLimits)

    async def accept(
        self,
        who: Principal,
        body: bytes,
        *,
        encoding: str = "",
        forced: RecordFormat | None = None,
        batch_key: str = "",
    ) -> IngestReport:
        """Read, normalise and publish a batch; the report names every refused line."""
        member = require_telemetry(who)
        batch = _batch_key(batch_key, body)
        source = f"ingest:{member}:{batch}"
        lines = iter_batch(decompress(body, encoding, source=source), source=source, forced=forced)
        report = IngestReport()
        records, events = _messages(member, batch, lines, report)
        self.limits.take(member, records)
        await self._publish(events)
        report.accepted = len(events)
        report.refused.sort(key=lambda refused: refused.line)
        return report

    async def publish_records(
        self, member: str, batch: str, records: Sequence[RawRecord]
    ) -> IngestReport:
        """Normalise ``records`` of ``member`` and publish them as one batch, within the
        member's rate, the bound in flight and the detect backlog (429 past any, nothing
        published).

        Every door in (HTTP, syslog) comes through here or :meth:`accept`, so the limits
        hold for all. Each pack's key is ``member:batch:first record id``: the same batch
        again adds nothing.
        """
        self.limits.take(member, len(records))
        report = IngestReport()
        _, events = _messages(member, batch, records, report)
        await self._publish(events)
        report.accepted = len(events)
        return report

    async def _publish(self, events: list[tuple[str, bytes]]) -> None:
        """Publish the batch's events in packs, within the bound in flight and the detect
        backlog."""
        if events:
            bus = await self.bus()
            if self.limits.backlog_due():
                self.limits.note_backlog(await bus.backlog(self.subject, DETECT_CONSUMER))
            self.limits.check_backlog()
            packs = pack(events)
            with self.limits.publishing(len(events)):
                await bus.publish_many(self.subject, [(key, body) for key, body, _ in packs])
            self.limits.note_packed(len(events), len(packs))


def _messages(
    member: str, batch: str, items: Iterable[RawRecord | RefusedLine], report: IngestReport
) -> tuple[int, list[tuple[str, bytes]]]:
    """The records read and each accepted one's key and bus body; refusals into ``report``.

    One record at a time from line to message, so nothing but the message outlives it
    (see :func:`~shieldwall.ingest.intake.iter_batch`).
    """
    messages: list[tuple[str, bytes]] = []
    refused = report.refused
    records = 0
    prefix = f"{member}:{batch}:"
    for item in items:
        if isinstance(item, RefusedLine):
            refused.append(item)
            continue
        records += 1
        try:
            event = _event(item)
        except InputError as exc:
            refused.append(RefusedLine(item.source.record_id or 0, exc.reason))
            continue
        messages.append((f"{prefix}{item.source.record_id}", encode_event(event, member)))
    return records, messages


def _event(record: RawRecord) -> Event:
    """A member's tool alert as an alert (never matched again), anything else normalised."""
    alert = tool_alert(record)
    return normalise(record) if alert is None else tool_event(record, alert)


def _batch_key(given: str, body: bytes) -> str:
    """The sensor's own batch key, or the body's digest: a batch sent twice is one batch."""
    if not given:
        return hashlib.sha256(body).hexdigest()[:32]
    if len(given) > MAX_BATCH_KEY or not given.isascii() or not given.isprintable() or ":" in given:
        raise InputError(
            f"Idempotency-Key must be at most {MAX_BATCH_KEY} printable ASCII characters "
            "without ':'",
            place="Idempotency-Key",
        )
    return given
