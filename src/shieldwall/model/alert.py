"""Alerts: what the centre's live detection found in a member's telemetry.

An alert belongs to the member whose telemetry raised it (``org_id``, taken from the
sending sensor's token, never from the payload). Its ``key`` is the idempotency key the
database enforces: the bus may deliver an event again after a crash, and the same event
matching the same rule must not make a second alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class NewAlert:
    """An alert about to be stored."""

    key: str
    """``<org>:<bus sequence>:<rule id>``: one alert per event and rule, whatever redelivers."""
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert(NewAlert):
    """A stored alert, numbered in the order the centre raised it."""

    seq: int
    created_at: datetime
