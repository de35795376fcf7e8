"""Events travel on the bus in packs: many events of one batch in one message.

Every bus message costs the broker a write, an index entry, a delivery and an
acknowledgement, and each side's client a frame to build and parse: at tens of thousands
of events a second, one message per event spent more CPU in the broker and the bus
clients than detection itself. The intake therefore publishes a sensor's batch as packs of
at most :data:`MAX_PACK_EVENTS` events and :data:`MAX_PACK_BYTES` bytes (a JSON array of
the events' bodies, each as :func:`~.wire.encode_event` writes it), keyed by the batch and
the pack's first line, so a batch sent again is still recognised by the bus.

Each event of a pack keeps a number of its own, the *event number* ``sequence ×
PACK_SLOTS + index``, which takes the place the bus sequence had in every idempotency key
(alerts, correlation claims, pattern observations): a redelivered pack gives every event
the same number again. A message holding one event object (written before packs) keeps its
bus sequence as its number; a pack's numbers are all above every earlier sequence, so the
two never meet.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson

from shieldwall.live.wire import decode_event, event_of
from shieldwall.model.errors import InputError
from shieldwall.model.event import Event

PACK_SLOTS = 4096
"""Event numbers each bus sequence spans (``sequence × PACK_SLOTS + index``)."""

MAX_PACK_EVENTS = 100
"""Events in one pack at most; fewer when :data:`MAX_PACK_BYTES` is reached first."""

MAX_PACK_BYTES = 256 * 1024
"""Bytes of one pack at most (one larger event travels alone), well under the 1 MiB a
NATS server accepts per message by default."""

Unpacked = tuple[int, Event | InputError]
"""An event's number and the event, or why it could not be read."""


def fetch_size(batch: int, last: tuple[int, int], full: int) -> int:
    """Messages to fetch for about ``batch`` items when a message holds up to ``full``.

    At the last batch's items per message (``last``: items, messages), but never fewer
    messages than a batch of full ones needs, and never more than four times that: a
    worker that fetched one event per message last time must not take 500 full packs
    (50,000 events) next. A batch that large outlives a worker restarted often, is
    redelivered to the next one, and is dropped by the bus after ``max_deliver``
    attempts (``bench/crash.py`` found it so)."""
    least = max(1, batch // full)
    items, messages = last
    if not items:
        return least
    return min(max(least, batch * messages // items), 4 * least)


def pack(encoded: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes, int]]:
    """The bus messages of a batch's encoded events: (key, payload, events held).

    Each pack is keyed by its first event's key; the same events in the same order give
    the same packs, so the bus drops a batch sent twice."""
    packs: list[tuple[str, bytes, int]] = []
    key, size = "", 0
    held: list[bytes] = []
    for event_key, payload in encoded:
        if held and (len(held) >= MAX_PACK_EVENTS or size + len(payload) > MAX_PACK_BYTES):
            packs.append((key, b"[" + b",".join(held) + b"]", len(held)))
            held, size = [], 0
        if not held:
            key = event_key
        held.append(payload)
        size += len(payload) + 1
    if held:
        packs.append((key, b"[" + b",".join(held) + b"]", len(held)))
    return packs


def unpack(sequence: int, payload: bytes) -> list[Unpacked]:
    """Every event a message delivered at ``sequence`` holds, each with its number.

    A pack that is not a JSON array of at most :data:`PACK_SLOTS` events is one unreadable
    entry; within a readable pack each event is read on its own, so one bad body costs
    only itself."""
    if payload[:1] != b"[":
        try:
            return [(sequence, decode_event(payload))]
        except InputError as exc:
            return [(sequence, exc)]
    first = sequence * PACK_SLOTS
    try:
        bodies = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        return [(first, InputError(f"not an event pack: {exc}", source="bus"))]
    if len(bodies) > PACK_SLOTS:
        return [(first, InputError(f"a pack of more than {PACK_SLOTS} events", source="bus"))]
    unpacked: list[Unpacked] = []
    for index, body in enumerate(bodies):
        try:
            unpacked.append((first + index, event_of(body)))
        except InputError as exc:
            unpacked.append((first + index, exc))
    return unpacked
