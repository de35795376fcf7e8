"""Measures, subscriptions, allow-list entries and list reports as JSON-ready dicts.

One rendering for the API and the CLI (``--json``), so both say the same thing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shieldwall.model.measures import AllowEntry, Measure, Subscription
from shieldwall.respond.measures.build import ListBuild


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def measure_json(measure: Measure) -> dict[str, Any]:
    """An issued measure."""
    return {
        "id": measure.id,
        "org_id": measure.org_id,
        "issued_by": measure.issued_by,
        "kind": measure.kind.value,
        "value": measure.value,
        "reason": measure.reason,
        "confidence": measure.confidence,
        "tlp": measure.tlp,
        "communities": sorted(measure.community_ids),
        "members": sorted(measure.recipient_org_ids),
        "valid_until": _time(measure.valid_until),
        "created_at": _time(measure.created_at),
        "withdrawn_at": _time(measure.withdrawn_at),
        "withdraw_reason": measure.withdraw_reason or None,
    }


def subscription_json(sub: Subscription) -> dict[str, Any]:
    """A member's subscription."""
    return {
        "member": sub.org_id,
        "name": sub.name,
        "kinds": sorted(kind.value for kind in sub.kinds),
        "formats": sorted(fmt.value for fmt in sub.formats),
        "min_confidence": sub.min_confidence,
        "indicators": sub.indicators,
    }


def allow_json(entry: AllowEntry) -> dict[str, Any]:
    """An allow-list entry (``member`` null: coalition-wide)."""
    return {
        "id": entry.id,
        "member": entry.org_id,
        "kind": entry.kind.value,
        "value": entry.value,
        "note": entry.note,
        "created_by": entry.created_by,
        "created_at": _time(entry.created_at),
    }


def report_json(build: ListBuild) -> dict[str, Any]:
    """A list version: its number, counts, and what the allow-list stopped or was refused."""
    version = build.version
    return {
        "member": version.org_id,
        "subscription": version.subscription,
        "version": version.version,
        "created": _time(version.created_at),
        "counts": version.counts,
        "stopped": [
            {
                "kind": stop.item.kind.value,
                "value": stop.item.value,
                "source": stop.item.source,
                "allowed_by": allow_json(stop.entry),
            }
            for stop in build.stopped
        ],
        "refused": [
            {"source": r.source, "kind": r.kind, "value": r.value, "reason": r.reason}
            for r in build.refused
        ],
    }
