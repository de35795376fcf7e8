"""The console's live feed over a real server: uvicorn on 127.0.0.1, read with the session
cookie as the overview's EventSource reads it.

Each person's stream carries the new alerts and incidents the gate lets them see — alpha's
analyst never receives bravo's — a stream needs a session, and signing out ends it at the
next heartbeat.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from shieldwall.server import create_app
from tests.unit.api.test_stream_sse import _free_port, raise_alert, read_events
from tests.unit.web.world import Console, build_console, sign_in


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Console, str]]:
    console = build_console(
        tmp_path,
        SHIELDWALL_STREAM_HEARTBEAT_SECONDS="0.3",
        SHIELDWALL_STREAM_POLL_SECONDS="0.05",
    )
    port = _free_port()
    config = uvicorn.Config(
        create_app(console.services), host="127.0.0.1", port=port, log_level="error"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # a guard against hanging, no time budget
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield console, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    console.services.close()


@pytest.fixture
def clients() -> Iterator[list[httpx.Client]]:
    """The clients a test opened, closed after it."""
    opened: list[httpx.Client] = []
    yield opened
    for client in opened:
        client.close()


def _signed_in(base: str, email: str, clients: list[httpx.Client]) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10)
    clients.append(client)
    sign_in(client, email)
    return client


def test_each_person_receives_what_the_gate_lets_them_see(
    served: tuple[Console, str], clients: list[httpx.Client]
) -> None:
    console, base = served
    alpha, bravo = (
        _signed_in(base, "alpha@web.example", clients),
        _signed_in(base, "bravo@web.example", clients),
    )
    with (
        alpha.stream("GET", "/console/stream") as a_stream,
        bravo.stream("GET", "/console/stream") as b_stream,
    ):
        assert a_stream.status_code == b_stream.status_code == 200
        assert a_stream.headers["content-type"].startswith("text/event-stream")
        raise_alert(console.world, "bravo", 901)
        raise_alert(console.world, "alpha", 902)
        a_events, _ = read_events(a_stream.iter_lines(), 2)
        b_events, _ = read_events(b_stream.iter_lines(), 2)
    assert {e["data"]["org_id"] for e in a_events} == {"alpha"}
    assert {e["data"]["org_id"] for e in b_events} == {"bravo"}
    assert sorted(e["event"] for e in a_events) == ["alert", "incident"]
    assert [e["data"]["rule_title"] for e in a_events if e["event"] == "alert"] == ["Thing 902"]


def test_the_stream_resumes_after_its_last_event_id(
    served: tuple[Console, str], clients: list[httpx.Client]
) -> None:
    console, base = served
    alpha = _signed_in(base, "alpha@web.example", clients)
    with alpha.stream("GET", "/console/stream") as stream:
        raise_alert(console.world, "alpha", 903)
        first, _ = read_events(stream.iter_lines(), 2)
    raise_alert(console.world, "alpha", 904)
    last = first[-1]["id"]
    with alpha.stream("GET", "/console/stream", headers={"Last-Event-ID": last}) as stream:
        later, _ = read_events(stream.iter_lines(), 1)
    assert [e["data"]["rule_title"] for e in later if e["event"] == "alert"] == ["Thing 904"]


def test_a_stream_needs_a_session_and_ends_when_signed_out(
    served: tuple[Console, str], clients: list[httpx.Client]
) -> None:
    _, base = served
    anonymous = httpx.get(f"{base}/console/stream", timeout=10)
    assert anonymous.status_code == 401
    assert "text/event-stream" not in anonymous.headers.get("content-type", "")
    alpha = _signed_in(base, "alpha@web.example", clients)
    page = alpha.get("/console").text
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    with alpha.stream("GET", "/console/stream") as stream:
        lines = stream.iter_lines()
        _, beats = read_events(lines, 99, seconds=0.8)
        assert beats >= 1
        with httpx.Client(base_url=base, cookies=alpha.cookies, timeout=10) as other:
            assert other.post("/console/signout", data={"csrf": csrf}).status_code == 303
        started = time.monotonic()
        for _ in lines:  # ends by itself at the next heartbeat
            assert time.monotonic() - started < 5
    assert time.monotonic() - started < 5


def test_a_malformed_last_event_id_is_refused_before_any_stream(
    served: tuple[Console, str], clients: list[httpx.Client]
) -> None:
    _, base = served
    alpha = _signed_in(base, "alpha@web.example", clients)
    refused = alpha.get("/console/stream", headers={"Last-Event-ID": "nope"})
    assert refused.status_code == 422
    assert "text/html" in refused.headers["content-type"]
