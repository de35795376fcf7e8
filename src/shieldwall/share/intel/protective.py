"""Indicator terms for protective measures: what one member may block, through the gate.

The same selection as the member's watchlist (:mod:`.watch`): the organisation's viewer
with no person (TLP:RED never becomes a measure), the derived-object rule, the channel's
ceiling TLP:AMBER+STRICT; only the newest version of each indicator, only while current
(not revoked, ``valid_until`` ahead). Each term carries what a list needs beside the
value: the indicator's confidence (50 when it gives none), name, time and expiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shieldwall.model.intel import IntelQuery
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.egress import Channel, ChannelKind
from shieldwall.share.intel.export import select_for
from shieldwall.share.intel.validate import parse_timestamp
from shieldwall.share.intel.watch import entries_of, is_current
from shieldwall.store.protocols import Store

MEASURES_CHANNEL = Channel("measures", ChannelKind.FEED, TlpLevel.AMBER_STRICT)
UNRATED_CONFIDENCE = 50


@dataclass(frozen=True, slots=True)
class ProtectiveTerm:
    """One value of one indicator the member may receive now."""

    indicator_id: str
    kind: str
    value: str
    confidence: int
    name: str
    modified: datetime | None
    valid_until: datetime | None


def protective_terms(
    store: Store, org_id: str, now: datetime | None = None
) -> list[ProtectiveTerm]:
    """Every term of the indicators ``org_id`` may receive and act on at ``now``."""
    moment = now or datetime.now(UTC)
    with store.transaction() as tx:
        query = IntelQuery(types=("indicator",))
        selection = select_for(tx, org_id, query, channel=MEASURES_CHANNEL, operator="measures")
    terms: list[ProtectiveTerm] = []
    for item in selection.items:
        obj = item.obj
        if not is_current(obj, moment):
            continue
        facts = _facts(obj)
        terms.extend(
            ProtectiveTerm(entry.indicator_id, entry.kind, entry.value, *facts)
            for entry in entries_of(obj)
        )
    return terms


def _facts(obj: dict[str, Any]) -> tuple[int, str, datetime | None, datetime | None]:
    confidence = obj.get("confidence")
    rated = confidence if isinstance(confidence, int) and 0 <= confidence <= 100 else None
    name = obj.get("name")
    return (
        UNRATED_CONFIDENCE if rated is None else rated,
        name if isinstance(name, str) else "",
        _time(obj.get("modified")),
        _time(obj.get("valid_until")),
    )


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        return None
