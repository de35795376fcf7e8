"""Alerts: what the centre's live detection found in a member's telemetry.

An alert belongs to the member whose telemetry raised it (``org_id``, taken from the
sending sensor's token, never from the payload). Its ``key`` is the idempotency key the
database enforces: the bus may deliver an event again after a crash, and the same event
matching the same rule must not make a second alert. Duplicates — the same rule, member,
host and user within a window — share a ``dedup_key``: they are counted on one alert
(``count``, ``last_seen``), each counted once whatever redelivers it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ENTITY_KINDS = ("hosts", "users", "ips", "hashes", "domains")


@dataclass(frozen=True, slots=True)
class Entities:
    """Who and what an alert is about, as read from the event's fields."""

    hosts: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    hashes: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    def as_json(self) -> dict[str, list[str]]:
        """The entities as stored and shown: a list per kind."""
        return {kind: list(getattr(self, kind)) for kind in ENTITY_KINDS}

    @classmethod
    def from_json(cls, body: Any) -> Entities:
        """Entities stored by :meth:`as_json` (unknown kinds are ignored)."""
        body = body if isinstance(body, dict) else {}
        return cls(**{kind: tuple(str(v) for v in body.get(kind, ())) for kind in ENTITY_KINDS})


@dataclass(frozen=True, slots=True, kw_only=True)
class NewAlert:
    """An alert about to be stored."""

    key: str
    """``<org>:<event number>:<rule id>``: one alert per event and rule, whatever redelivers."""
    org_id: str
    rule_id: str
    rule_title: str
    level: str
    tags: tuple[str, ...]
    event_time: datetime | None
    source: str
    """Where the event came from: the sensor's batch and line."""
    matched: dict[str, Any]
    """The fields and values that made the rule match."""
    event: dict[str, Any]
    """The event's fields, as evidence."""
    entities: Entities = field(default_factory=Entities)
    techniques: tuple[str, ...] = ()
    """ATT&CK technique ids from the rule's tags (``T1204.002``)."""
    kind: str = "rule"
    """``rule``, or the correlation type when a correlation rule fired."""
    dedup_key: str = ""
    """Alerts sharing it are one alert, counted; empty: the ``key`` (never deduplicated)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert(NewAlert):
    """A stored alert, numbered in the order the centre raised it."""

    seq: int
    created_at: datetime
    count: int = 1
    """How many matches (distinct events and rule) this alert stands for."""
    last_seen: datetime | None = None
    """The latest event time among them."""


@dataclass(frozen=True, slots=True)
class AlertHit:
    """One match counted on an alert: its own key (the idempotency key) and time."""

    key: str
    alert: Alert
    at: datetime | None
    entities: Entities
    """The hit's own event's entities (a duplicate may name other IPs than the first)."""


@dataclass(frozen=True, slots=True)
class AlertTechniques:
    """What a technique chain needs of an alert: its order and its techniques."""

    seq: int
    at: datetime
    """Its event time, or when the centre raised it when the event had none."""
    techniques: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AlertCount:
    """How many alerts (and matches) of one member named one set of techniques in a
    period: what charts and the heat map count, summed in the database."""

    org_id: str
    techniques: tuple[str, ...]
    alerts: int
    hits: int
