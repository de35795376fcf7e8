"""The live stream over a real server: uvicorn on 127.0.0.1, read as a browser would.

Each viewer's stream carries its own member's new alerts and incidents (the centre's:
every member's), never another member's; ``Last-Event-ID`` resumes after the event it
names; heartbeats keep the stream alive and re-check the token, so a revoked token ends
it; a sensor, or a malformed id, is refused with a problem document before any stream.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import uvicorn

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.fuse import GroupingRules, fuse_hit
from shieldwall.model.alert import Entities, NewAlert
from shieldwall.server import create_app
from tests.unit.api.conftest import World, build_world


@dataclass
class Served:
    world: World
    url: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    world = build_world(
        tmp_path,
        SHIELDWALL_STREAM_HEARTBEAT_SECONDS="0.3",
        SHIELDWALL_STREAM_POLL_SECONDS="0.05",
    )
    port = _free_port()
    config = uvicorn.Config(
        create_app(world.services), host="127.0.0.1", port=port, log_level="error"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # a guard against hanging, no time budget
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield Served(world, f"http://127.0.0.1:{port}/api/v1/stream")
    server.should_exit = True
    thread.join(timeout=10)
    world.services.close()


def raise_alert(world: World, member: str, number: int) -> None:
    """An alert of ``member`` stored and fused into an incident, as the workers would."""
    new = NewAlert(
        key=f"{member}:{number}:r",
        org_id=member,
        rule_id="r",
        rule_title=f"Thing {number}",
        level="high",
        tags=(),
        event_time=datetime(2026, 12, 7, tzinfo=UTC),
        source="s",
        matched={},
        event={},
        entities=Entities(hosts=(f"h{number}",)),
    )
    with world.services.store.transaction() as tx:
        tx.alerts.add([new])
        hit = tx.alerts.hit(new.key)
        assert hit is not None
        fuse_hit(tx.incidents, hit, GroupingRules(), tx.campaigns)


def read_events(
    lines: Iterator[str], wanted: int, seconds: float = 10
) -> tuple[list[dict[str, Any]], int]:
    """Events (id, event, data) until ``wanted`` came or the stream ended; heartbeats seen."""
    events: list[dict[str, Any]] = []
    beats = 0
    current: dict[str, Any] = {}
    deadline = time.monotonic() + seconds
    for line in lines:
        if line.startswith(": heartbeat"):
            beats += 1
        elif line.startswith(("id: ", "event: ", "data: ")):
            name, _, value = line.partition(": ")
            current[name] = orjson.loads(value) if name == "data" else value
        elif not line and "event" in current:
            events.append(current)
            current = {}
        elif not line:
            current = {}
        if len(events) >= wanted or time.monotonic() > deadline:
            break
    return events, beats


def _ident(event: dict[str, Any]) -> tuple[str, int]:
    """What an event is about, whatever cursor it was sent with."""
    return event["event"], int(event["data"].get("seq") or event["data"]["id"])


def test_each_viewer_receives_its_own_and_resumes(served: Served) -> None:
    world = served.world
    headers = {**world.auth("alpha-analyst"), "Accept": "text/event-stream"}
    raise_alert(world, "alpha", 0)  # before the stream: not sent (it starts at the newest)
    with httpx.stream("GET", served.url, headers=headers, timeout=10) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        raise_alert(world, "bravo", 1)
        raise_alert(world, "alpha", 2)
        raise_alert(world, "bravo", 3)
        raise_alert(world, "alpha", 4)
        events, _ = read_events(response.iter_lines(), 4)
    assert sorted((e["event"], e["data"]["org_id"]) for e in events) == [
        ("alert", "alpha"),
        ("alert", "alpha"),
        ("incident", "alpha"),
        ("incident", "alpha"),
    ]
    alerts = [e["data"]["rule_title"] for e in events if e["event"] == "alert"]
    assert alerts == ["Thing 2", "Thing 4"]  # each kind in the order it was raised
    first_id = events[0]["id"]
    resumed = {**headers, "Last-Event-ID": first_id}
    with httpx.stream("GET", served.url, headers=resumed, timeout=10) as response:
        again, _ = read_events(response.iter_lines(), 3)
    assert sorted(map(_ident, again)) == sorted(map(_ident, events[1:]))
    with httpx.stream("GET", served.url, headers=world.auth("centre-admin"), timeout=10) as r:
        raise_alert(world, "bravo", 5)
        centre, _ = read_events(r.iter_lines(), 2)
    assert {(e["event"], e["data"]["org_id"]) for e in centre} == {
        ("alert", "bravo"),
        ("incident", "bravo"),
    }


def test_heartbeats_and_a_revoked_token_ends_the_stream(served: Served) -> None:
    world = served.world
    with httpx.stream("GET", served.url, headers=world.auth("bravo-lead"), timeout=10) as r:
        lines = r.iter_lines()
        _, beats = read_events(lines, 1, seconds=1.0)
        assert beats >= 2
        accounts.revoke_token(world.services.store, OPERATOR, world.token_ids["bravo-lead"])
        started = time.monotonic()
        rest = list(lines)  # the server closes the stream at the next heartbeat
    assert time.monotonic() - started < 5
    assert not any(line.startswith("event:") for line in rest)


def test_refusals_are_problem_documents(served: Served) -> None:
    world = served.world
    sensor = httpx.get(served.url, headers=world.auth("alpha-sensor"), timeout=10)
    assert sensor.status_code == 403
    assert sensor.headers["content-type"].startswith("application/problem+json")
    bad = httpx.get(
        served.url, headers={**world.auth("alpha-lead"), "Last-Event-ID": "x-1"}, timeout=10
    )
    assert 400 <= bad.status_code < 500
    assert bad.headers["content-type"].startswith("application/problem+json")
    nobody = httpx.get(served.url, timeout=10)
    assert nobody.status_code == 401
