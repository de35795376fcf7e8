"""Pushing to a partner: egress ceiling, batches, status polling, partial failures reported."""

from __future__ import annotations

from typing import Any

from shieldwall.config.taxii import TaxiiPartner
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy.markings import PINNED
from shieldwall.share.taxii_client.push import PushReport, open_pusher
from tests.unit.share.taxii_client.taxii_stub import COLLECTION, RunningStub, indicator

TLP = {marking.level: marking.id for marking in PINNED.values() if marking.tlp_version == 2}


def _marked(number: int, level: TlpLevel, name: str = "ok") -> dict[str, Any]:
    return {**indicator(number), "name": name, "object_marking_refs": [TLP[level]]}


def _push(stub: RunningStub, objects: list[dict[str, Any]], **partner: Any) -> PushReport:
    values: dict[str, Any] = {
        "name": "partner",
        "url": stub.url,
        "api_root": "/api1/",
        "collection_id": COLLECTION,
        "allow_private_addresses": True,
        "allow_plain_http": True,
        "requests_per_second": 100,
        "status_poll_seconds": 0.01,
        **partner,
    }
    pusher = open_pusher(TaxiiPartner(**values), env={})
    try:
        return pusher.push(objects)
    finally:
        pusher.close()


def test_partial_failures_are_reported_per_object_after_polling_status(stub: RunningStub) -> None:
    objects = [_marked(n, TlpLevel.GREEN, "bad" if n == 2 else "ok") for n in range(5)]
    report = _push(stub, objects, objects_per_request=2)
    assert len(stub.state.posted) == 3
    assert [len(envelope["objects"]) for envelope in stub.state.posted] == [2, 2, 1]
    assert stub.state.status_polls == 3  # each POST answered "pending", then polled once
    assert report.sent == 5
    assert sorted(report.succeeded) == sorted(o["id"] for o in objects if o["name"] == "ok")
    assert [(f.id, f.message) for f in report.failed] == [(objects[2]["id"], "refused by partner")]
    assert not report.complete


def test_objects_above_the_partner_ceiling_or_unmarked_never_leave(stub: RunningStub) -> None:
    amber = _marked(1, TlpLevel.AMBER)
    green = _marked(2, TlpLevel.GREEN)
    unmarked = indicator(3)
    report = _push(stub, [amber, green, unmarked], max_tlp="green")
    sent_ids = [o["id"] for envelope in stub.state.posted for o in envelope["objects"]]
    assert sent_ids == [green["id"]]
    assert dict(report.withheld) == {
        amber["id"]: "above-channel-maximum",
        unmarked["id"]: "unmarked-egress",
    }
    assert report.complete


def test_a_refused_batch_is_reported_and_later_batches_still_go(stub: RunningStub) -> None:
    stub.state.token = "required"  # our partner config sends no token: every POST gets 401
    report = _push(stub, [_marked(n, TlpLevel.CLEAR) for n in range(3)], objects_per_request=2)
    assert len(report.errors) == 2
    assert all("HTTP 401" in error for error in report.errors)
    assert report.sent == 3
    assert not report.complete
