"""The live pipeline end to end on the embedded default: a sensor's batch over HTTP, the
detect worker on the bus, alerts read through the gate by people of every organisation."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shieldwall.config.settings import load_settings
from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.loader import load_rules
from shieldwall.live import EVENTS_SUBJECT, DetectWorker
from shieldwall.runtime import DetectThread, live_rules
from tests.unit.api.conftest import World, build_world

RULES = """\
title: Evil binary started
id: 7c4d7b0e-1c2a-4f55-9b6e-0a8f7d1e2c31
status: test
level: high
tags: [attack.execution, attack.t1204.002]
logsource: {product: windows, category: process_creation}
detection:
    selection: {Image|endswith: '\\\\evil.exe'}
    condition: selection
---
title: SSH password guessing
id: 2b9e8f61-4d3c-4a7b-8e1f-5c6d7e8f9a0b
status: test
level: medium
logsource: {product: linux, service: sshd}
detection:
    keywords: ['Failed password']
    condition: keywords
"""


def sysmon(image: str, record: int, **extra: Any) -> dict[str, Any]:
    """A Sysmon process creation as ``evtx_dump`` writes it."""
    return {
        "Event": {
            "System": {
                "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
                "EventID": 1,
                "EventRecordID": record,
                "Channel": "Microsoft-Windows-Sysmon/Operational",
                "Computer": "ws1.alpha.example",
                "TimeCreated": {"#attributes": {"SystemTime": "2026-12-01T10:00:00.000000Z"}},
            },
            "EventData": {"Image": image, "CommandLine": f"{image} /run", **extra},
        }
    }


SSHD = "<38>Dec  1 10:00:01 web1 sshd[4242]: Failed password for root from 203.0.113.9 port 50000"


def ndjson(*records: Any) -> bytes:
    return b"".join(json.dumps(record).encode() + b"\n" for record in records)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.services.close()


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    (tmp_path / "rules.yml").write_text(RULES, encoding="utf-8")
    ruleset = load_rules([tmp_path / "rules.yml"])
    assert not ruleset.problems and len(ruleset.rules) == 2
    return Engine(ruleset)


def post(world: World, caller: str, body: bytes, **headers: str) -> Any:
    return world.client.post(
        "/api/v1/ingest",
        content=body,
        headers={**world.auth(caller), "content-type": "application/x-ndjson", **headers},
    )


def detect_all(world: World, engine: Engine, *, ack: bool = True) -> DetectWorker:
    """Run a detect worker until the stream is drained (acknowledging, or not: a crash)."""

    async def run() -> DetectWorker:
        assert world.services.buses is not None
        bus = await world.services.buses.own()
        worker = DetectWorker(bus, world.services.store, engine)
        consumer = await worker.consumer()
        try:
            if ack:
                while await worker.step(consumer, timeout=0.2):
                    pass
            else:  # store the alerts, then die before acknowledging
                deliveries = await consumer.fetch(1000, timeout=0.2)
                worker._store_alerts(*worker._match(deliveries))
        finally:
            await consumer.close()
            await bus.close()
        return worker

    return asyncio.run(run())


def alerts(world: World, caller: str) -> list[dict[str, Any]]:
    response = world.client.get("/api/v1/alerts", headers=world.auth(caller))
    assert response.status_code == 200, response.text
    return list(response.json()["alerts"])


def test_a_batch_becomes_alerts_of_its_member_only(world: World, engine: Engine) -> None:
    body = ndjson(sysmon("C:\\x\\evil.exe", 1), sysmon("C:\\x\\good.exe", 2), SSHD, [1, 2], "{")
    answer = post(world, "alpha-sensor", body)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["accepted"] == 3 and report["refused"] == 2
    assert [r["line"] for r in report["refusals"]] == [4, 5]  # a list; a text line not syslog
    assert "not an object" in report["refusals"][0]["reason"]

    worker = detect_all(world, engine)
    assert worker.counts.events == 3 and worker.counts.alerts == 2
    mine = alerts(world, "alpha-analyst")
    assert sorted(a["rule_title"] for a in mine) == ["Evil binary started", "SSH password guessing"]
    assert {a["org_id"] for a in mine} == {"alpha"}
    evil = next(a for a in mine if a["level"] == "high")
    assert evil["matched"] == {"Image": "C:\\x\\evil.exe"} and evil["event"]["Computer"]
    assert alerts(world, "bravo-analyst") == []
    assert len(alerts(world, "centre-admin")) == 2


def test_another_members_alert_is_absent_not_forbidden(world: World, engine: Engine) -> None:
    post(world, "alpha-sensor", ndjson(sysmon("C:\\x\\evil.exe", 1)))
    detect_all(world, engine)
    seq = alerts(world, "alpha-lead")[0]["seq"]
    hidden = world.client.get(f"/api/v1/alerts/{seq}", headers=world.auth("bravo-lead"))
    absent = world.client.get(f"/api/v1/alerts/{seq + 1000}", headers=world.auth("bravo-lead"))
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["detail"].replace(str(seq), "N") == absent.json()["detail"].replace(
        str(seq + 1000), "N"
    )
    assert (
        world.client.get(f"/api/v1/alerts/{seq}", headers=world.auth("alpha-liaison")).json()["seq"]
        == seq
    )


def test_the_member_comes_from_the_token_never_the_payload(world: World, engine: Engine) -> None:
    forged = sysmon("C:\\x\\evil.exe", 1, member="bravo", org_id="bravo")
    forged["member"] = "bravo"
    post(world, "alpha-sensor", ndjson(forged))
    detect_all(world, engine)
    assert [a["org_id"] for a in alerts(world, "centre-admin")] == ["alpha"]
    assert alerts(world, "bravo-lead") == []


def test_a_redelivery_after_a_crash_changes_nothing(world: World, engine: Engine) -> None:
    post(world, "alpha-sensor", ndjson(sysmon("C:\\x\\evil.exe", 1), SSHD))
    detect_all(world, engine, ack=False)  # alerts stored, never acknowledged
    assert len(alerts(world, "centre-admin")) == 2
    worker = detect_all(world, engine)  # everything comes back
    assert worker.counts.events == 2 and worker.counts.alerts == 0
    assert len(alerts(world, "centre-admin")) == 2


def test_a_batch_sent_again_adds_nothing(world: World, engine: Engine) -> None:
    body = ndjson(sysmon("C:\\x\\evil.exe", 1))
    for _ in range(2):
        assert post(world, "alpha-sensor", body).json()["accepted"] == 1
    keyed = [post(world, "alpha-sensor", body, **{"idempotency-key": "b-7"}) for _ in range(2)]
    assert [k.json()["accepted"] for k in keyed] == [1, 1]

    async def last() -> int:
        assert world.services.buses is not None
        return await (await world.services.buses()).last_sequence(EVENTS_SUBJECT)

    assert asyncio.run(last()) == 2  # one per distinct batch, whatever was resent
    detect_all(world, engine)
    (alert,) = alerts(world, "alpha-analyst")  # the same rule, host and hour: counted
    assert alert["count"] == 2


def test_gzip_batches_are_read_and_bad_gzip_is_a_4xx(world: World) -> None:
    packed = gzip.compress(ndjson(SSHD, SSHD))
    answer = post(world, "alpha-sensor", packed, **{"content-encoding": "gzip"})
    assert answer.status_code == 200 and answer.json()["accepted"] == 2
    broken = post(world, "alpha-sensor", b"\x1f\x8bnot gzip", **{"content-encoding": "gzip"})
    assert broken.status_code == 422 and "gzip" in broken.json()["detail"]
    unknown = post(world, "alpha-sensor", b"", **{"content-encoding": "br"})
    assert 400 <= unknown.status_code < 500


@pytest.mark.parametrize(
    ("caller", "method", "path", "status"),
    [
        ("alpha-analyst", "POST", "/api/v1/ingest", 200),
        ("alpha-sensor", "GET", "/api/v1/alerts", 403),
        ("bravo-sensor", "GET", "/api/v1/alerts/1", 403),
    ],
)
def test_sensors_send_and_people_read_as_the_permission_table_says(
    world: World, caller: str, method: str, path: str, status: int
) -> None:
    response = world.client.request(method, path, content=ndjson(SSHD), headers=world.auth(caller))
    assert response.status_code == status, response.text


def test_a_record_the_normaliser_refuses_is_named_by_its_line(world: World) -> None:
    zeek_without_object = ndjson({"_path": "conn", "ts": "x", "id.orig_h": [[[[]]]]})
    answer = post(world, "alpha-sensor", ndjson(SSHD) + b"\n" + zeek_without_object, format="json")
    assert answer.status_code == 200
    text = post(world, "alpha-sensor", ndjson({"a": 1}), **{}).json()
    assert text["accepted"] == 1
    forced = world.client.post(
        "/api/v1/ingest?format=syslog",
        content=ndjson({"a": 1}, SSHD),
        headers={**world.auth("alpha-sensor"), "content-type": "application/x-ndjson"},
    ).json()
    assert forced["accepted"] == 1 and forced["refusals"][0]["line"] == 1
    assert "JSON strings" in forced["refusals"][0]["reason"]


def test_the_servers_detect_thread_raises_alerts_and_stops(world: World, tmp_path: Path) -> None:
    (tmp_path / "live.yml").write_text(RULES, encoding="utf-8")
    settings = load_settings({"SHIELDWALL_LIVE_RULES": f"{tmp_path / 'live.yml'}:"})
    assert world.services.buses is not None
    thread = DetectThread(world.services.buses, world.services.store, live_rules(settings))
    thread.start()
    try:
        post(world, "bravo-sensor", ndjson(SSHD))
        deadline = time.monotonic() + 10
        while not alerts(world, "bravo-analyst") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [a["rule_title"] for a in alerts(world, "bravo-analyst")] == [
            "SSH password guessing"
        ]
    finally:
        assert thread.stop()


def test_duplicates_are_counted_once_each_whatever_redelivers(world: World, engine: Engine) -> None:
    body = ndjson(*(sysmon("C:\\x\\evil.exe", n, User="ALPHA\\eve") for n in range(1, 4)))
    post(world, "alpha-sensor", body)
    detect_all(world, engine, ack=False)  # counted, then a crash before the acknowledgement
    detect_all(world, engine)
    (alert,) = alerts(world, "alpha-analyst")
    assert alert["count"] == 3 and alert["last_seen"] == "2026-12-01T10:00:00+00:00"
    assert alert["entities"]["hosts"] == ["ws1.alpha.example"]
    assert alert["entities"]["users"] == ["ALPHA\\eve"]
    assert alert["techniques"] == ["T1204.002"] and alert["kind"] == "rule"
    other_user = ndjson(sysmon("C:\\x\\evil.exe", 9, User="ALPHA\\bob"))
    post(world, "alpha-sensor", other_user)
    detect_all(world, engine)
    assert sorted(a["count"] for a in alerts(world, "alpha-analyst")) == [1, 3]
