"""The live pipeline as `shieldwall up` runs it finds what an offline scan finds.

The rules come from a directory named by the settings (``SHIELDWALL_LIVE_RULES``), the
detect and fuse workers run in their threads, and the events repeat: the same rule on
the same host, user and hour is counted on one alert. So the matches, summed over the
alerts the API shows, equal the offline engine's detections over the same records,
while the alerts are fewer. (bench/pipeline.py once compared alert rows with the
offline matches and stopped waiting while the detect worker was still behind.)
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.loader import load_rules
from shieldwall.ingest.intake import read_batch
from shieldwall.live import EVENTS_SUBJECT
from shieldwall.live.detect_worker import CONSUMER
from shieldwall.normalise import normalise
from shieldwall.runtime import DetectThread, FuseThread, live_rules
from tests.unit.api.conftest import World, build_world

EVIL = """\
title: Evil binary started
id: 7c4d7b0e-1c2a-4f55-9b6e-0a8f7d1e2c31
status: test
level: high
logsource: {product: windows, category: process_creation}
detection:
    selection: {Image|endswith: '\\\\evil.exe'}
    condition: selection
"""
ENCODED = """\
title: Encoded command line
id: 3f1e2d4c-5b6a-4789-8a9b-0c1d2e3f4a5b
status: test
level: medium
logsource: {product: windows, category: process_creation}
detection:
    selection: {CommandLine|contains: ' -enc '}
    condition: selection
"""
SSH = """\
title: SSH password guessing
id: 2b9e8f61-4d3c-4a7b-8e1f-5c6d7e8f9a0b
status: test
level: medium
logsource: {product: linux, service: sshd}
detection:
    keywords: ['Failed password']
    condition: keywords
"""


def sysmon(record: int, image: str, host: str, user: str, hour: int, enc: bool) -> dict[str, Any]:
    line = f"{image} -enc AAAA" if enc else f"{image} /run"
    return {
        "Event": {
            "System": {
                "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
                "EventID": 1,
                "EventRecordID": record,
                "Channel": "Microsoft-Windows-Sysmon/Operational",
                "Computer": host,
                "TimeCreated": {
                    "#attributes": {"SystemTime": f"2026-12-01T{hour:02d}:00:{record % 60:02d}Z"}
                },
            },
            "EventData": {"Image": image, "CommandLine": line, "User": user},
        }
    }


def lines() -> list[bytes]:
    """120 records: matches repeating on a few hosts, users and hours, and misses."""
    out: list[bytes] = []
    for n in range(1, 101):
        image = "C:\\x\\evil.exe" if n % 3 else "C:\\x\\good.exe"
        record = sysmon(n, image, f"ws{n % 2}.alpha.example", f"A\\u{n % 3}", n % 4, n % 5 == 0)
        out.append(json.dumps(record).encode())
    for n in range(20):
        out.append(
            json.dumps(
                f"<38>Dec  1 1{n % 3}:00:01 web{n % 2} sshd[42]: Failed password for root"
                f" from 203.0.113.{n} port 5000"
            ).encode()
        )
    return out


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    for name, text in (("evil.yml", EVIL), ("encoded.yml", ENCODED), ("ssh.yml", SSH)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def world(tmp_path: Path, rules_dir: Path) -> Iterator[World]:
    built = build_world(tmp_path / "data", SHIELDWALL_LIVE_RULES=str(rules_dir))
    yield built
    built.services.close()


def offline(body: list[bytes], rules_dir: Path) -> int:
    engine = Engine(load_rules([rules_dir]))
    return sum(
        len(engine.match(normalise(record)))
        for line in body
        for record in read_batch(line + b"\n", source="offline").records
    )


def matches(world: World) -> tuple[int, int]:
    """(alerts, matches counted on them) as the centre's admin reads them."""
    page = world.client.get(
        "/api/v1/alerts", params={"limit": 1000}, headers=world.auth("centre-admin")
    ).json()["alerts"]
    return len(page), sum(int(alert["count"]) for alert in page)


def backlog(world: World) -> int | None:
    async def ask() -> int | None:
        assert world.services.buses is not None
        bus = await world.services.buses.own()
        try:
            return await bus.backlog(EVENTS_SUBJECT, CONSUMER)
        finally:
            await bus.close()

    return asyncio.run(ask())


def test_the_settings_rules_directory_finds_live_what_it_finds_offline(
    world: World, rules_dir: Path
) -> None:
    settings = world.services.settings
    assert settings.live_rules == (rules_dir,)
    assert world.services.buses is not None
    body = lines()
    expected = offline(body, rules_dir)
    assert expected > 60  # the fixture does repeat its matches

    detect = DetectThread(world.services.buses, world.services.store, live_rules(settings))
    fuse = FuseThread(world.services.buses, world.services.store)
    detect.start()
    fuse.start()
    try:
        for start in range(0, len(body), 25):  # several batches, as a sensor sends them
            chunk = b"\n".join(body[start : start + 25]) + b"\n"
            answer = world.client.post(
                "/api/v1/ingest",
                content=chunk,
                headers={**world.auth("alpha-sensor"), "content-type": "application/x-ndjson"},
            )
            assert answer.status_code == 200 and answer.json()["refused"] == 0, answer.text
        deadline = time.monotonic() + 60  # a guard against hanging, not a time budget
        while matches(world)[1] < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        rows, counted = matches(world)
    finally:
        assert detect.stop() and fuse.stop()
    assert counted == expected
    assert rows < counted  # repeats are counted on their alert, not stored again
    assert backlog(world) == 0
    with world.services.store.reading() as tx:
        assert tx.alerts.hit_count() == expected
