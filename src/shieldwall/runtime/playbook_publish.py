"""A playbook publishes an indicator: a STIX 2.1 indicator through the sharing gate.

The indicator's id is derived from the step's idempotency key (UUIDv5), so a step taken
over after a crash publishes a new version of the same indicator, never a second one. It
is produced by the run's organisation and marked with the TLP the playbook asks for
(TLP:AMBER+STRICT unless told), and goes through ``share``'s publication like any member
submission: validated, marked, audited, and refused when the gate says no.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from shieldwall.model.identity import Principal
from shieldwall.policy.markings import TLP_AMBER, TLP_AMBER_STRICT, TLP_CLEAR, TLP_GREEN
from shieldwall.respond import ActionFailedError
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.identity import identity_id
from shieldwall.share.intel.publish import publish
from shieldwall.share.intel.validate import format_timestamp
from shieldwall.store.protocols import Store

MARKINGS = {
    "clear": TLP_CLEAR,
    "green": TLP_GREEN,
    "amber": TLP_AMBER,
    "amber+strict": TLP_AMBER_STRICT,
}
NAMESPACE = uuid.UUID("6f1b8d0e-5b0a-4c55-9f43-2a1d3c7e9b10")
"""Shieldwall's namespace for indicator ids derived from idempotency keys."""


def indicator_object(who: Principal, key: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The STIX indicator the step's arguments describe."""
    pattern = args.get("pattern")
    marking = MARKINGS.get(str(args.get("tlp", "amber+strict")).lower())
    if not isinstance(pattern, str) or not pattern or marking is None:
        raise ActionFailedError("indicator.publish needs a STIX pattern and a TLP (not red)")
    now = format_timestamp(datetime.now(UTC))
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid5(NAMESPACE, key)}",
        "created": now,
        "modified": now,
        "created_by_ref": identity_id(who.org_id),
        "name": str(args.get("name", "published by a playbook"))[:300],
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": now,
        "object_marking_refs": [marking.id],
    }


def publish_indicator(store: Store, who: Principal, key: str, args: Mapping[str, Any]) -> Any:
    """Publish through the gate; ActionFailedError with the refusal otherwise."""
    obj = indicator_object(who, key, args)
    with store.transaction() as tx:
        result = publish(tx, who, [obj], Addressing(), StoreDirectory(tx))
    if not result.stored:
        reasons = "; ".join(entry.message for entry in result.failures) or "refused"
        raise ActionFailedError(f"indicator not published: {reasons}")
    return {"indicator": obj["id"]}
