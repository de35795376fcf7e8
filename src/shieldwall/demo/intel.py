"""What the demo's members share through the gate: indicators, as a member imports them.

The C2 goes to every member under TLP:AMBER; the stager goes first-hand to the centre's
duty officer alone under TLP:RED (named people only), so the console shows what the gate
lets each person receive and nothing of the rest.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from shieldwall import share
from shieldwall.demo.campaign import STAGER_ADDRESS, STAGER_HOST
from shieldwall.model.errors import ShieldwallError
from shieldwall.runtime import Services

AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
"""TLP 2.0 AMBER: the members' organisations and their clients, on a need-to-know basis."""
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
"""TLP 2.0 RED: the named recipients only."""
RED_TIP = f"Stager {STAGER_HOST} at {STAGER_ADDRESS}, first-hand from the first member hit"
"""The name of the indicator the first member hit gives the duty officer alone."""


def indicator(pattern: str, name: str, marking: str = AMBER) -> dict[str, Any]:
    """A STIX 2.1 indicator valid for 30 days, as a member's analyst writes one."""
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        "name": name,
        "indicator_types": ["malicious-activity"],
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": stamp,
        "valid_until": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "confidence": 85,
        "object_marking_refs": [marking],
    }


def publish(
    services: Services,
    org_id: str,
    objects: Sequence[dict[str, Any]],
    addressing: share.Addressing,
    name: str,
) -> str:
    """Import ``objects`` as ``org_id`` (as ``shieldwall intel import`` does); why not, or
    empty when every object was stored."""
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(objects)}
    path = services.settings.data_dir / f"demo-{name}.json"
    path.write_bytes(orjson.dumps(bundle))
    request = share.ImportRequest(path=path, org_id=org_id, addressing=addressing)
    stored = 0
    for outcome in share.import_intel(services.store, request):
        if isinstance(outcome, ShieldwallError) or outcome.refusals or outcome.problems:
            return f"the centre refused it: {outcome}"
        stored += outcome.stored
    return "" if stored == len(objects) else f"{stored} of {len(objects)} stored"


def red_tip(services: Services, org_id: str, person_id: str) -> str:
    """``org_id`` tells one person (TLP:RED) where the stager is; why not, or empty."""
    tip = indicator(f"[ipv4-addr:value = '{STAGER_ADDRESS}']", RED_TIP, RED)
    to = share.Addressing(recipient_person_ids=frozenset({person_id}))
    return publish(services, org_id, [tip], to, "red-tip")
