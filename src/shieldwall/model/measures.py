"""Protective measures: what members' controls block, who subscribed to what, and never-block.

A :class:`Measure` is one block explicitly issued (by the centre, a playbook, a lead); the
indicators of the intelligence store are the other source. A :class:`Subscription` says
which measures a member wants and in which formats; an :class:`AllowEntry` is a value that
must never be blocked, for one member or (``org_id`` None) for the whole coalition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple


class MeasureKind(StrEnum):
    """What a measure blocks; hashes are one kind each so a value's length is checked."""

    IP = "ip"
    """An address or a CIDR block, IPv4 or IPv6."""
    DOMAIN = "domain"
    URL = "url"
    MD5 = "md5"
    SHA1 = "sha1"
    SHA256 = "sha256"


class MeasureFormat(StrEnum):
    """What members' controls consume; each is checked by a real consumer in the tests."""

    PLAIN = "plain"
    CSV = "csv"
    STIX = "stix"
    SURICATA = "suricata"
    NFTABLES = "nftables"
    RPZ = "rpz"
    ZEEK = "zeek"
    SIGMA = "sigma"


class Measure(NamedTuple):
    """One explicitly issued block, addressed like a share (TLP, communities, members).

    A named tuple rather than a frozen dataclass: every list built reads every current
    measure, and a tuple is built several times faster (measured in bench/respond.py).
    """

    id: str
    key: str
    """The idempotency key: issuing twice under one key issues once (unique in the store)."""
    org_id: str
    """The issuing organisation (the producer, for the gate)."""
    issued_by: str
    kind: MeasureKind
    value: str
    reason: str
    valid_until: datetime | None
    created_at: datetime
    confidence: int = 100
    tlp: str = "green"
    community_ids: frozenset[str] = frozenset()
    recipient_org_ids: frozenset[str] = frozenset()
    withdrawn_at: datetime | None = None
    withdrawn_by: str = ""
    withdraw_reason: str = ""

    def current(self, now: datetime) -> bool:
        """Not withdrawn and not past ``valid_until``."""
        return self.withdrawn_at is None and (self.valid_until is None or self.valid_until > now)


@dataclass(frozen=True, slots=True)
class Subscription:
    """What one member wants: kinds, a confidence floor, formats; under a name of its own."""

    org_id: str
    name: str
    kinds: frozenset[MeasureKind] = frozenset(MeasureKind)
    formats: frozenset[MeasureFormat] = frozenset(MeasureFormat)
    min_confidence: int = 0
    indicators: bool = True
    """Include the intelligence store's indicators (not only issued measures)."""
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AllowEntry:
    """A value never to block: an address or CIDR block, or a domain (and its subdomains)."""

    id: str
    org_id: str | None
    """None: coalition-wide."""
    kind: MeasureKind
    value: str
    note: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ListVersion:
    """One version of a member's list under a subscription: bumped when its content changes."""

    org_id: str
    subscription: str
    version: int
    digest: str
    created_at: datetime
    counts: dict[str, int] = field(default_factory=dict)
