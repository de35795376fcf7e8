"""What a remote cannot make the client do: go elsewhere, overfill memory, leak credentials."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from shieldwall.share.taxii_client.runner import FeedRunner
from tests.unit.share.taxii_client.conftest import FakeSink, FakeStates, feed_for
from tests.unit.share.taxii_client.taxii_stub import RunningStub, StubState, indicator, serve

SECRET = "s3cr3t-t0ken-that-must-never-be-logged"


@pytest.fixture
def elsewhere() -> Iterator[RunningStub]:
    """A second server: the place a hostile remote would like us to fetch."""
    yield from serve(StubState())


def _run(
    stub: RunningStub,
    sink: FakeSink,
    states: FakeStates,
    env: dict[str, str] | None = None,
    **feed: Any,
) -> Any:
    return FeedRunner([feed_for(stub.url, **feed)], sink, states, env=env or {}).run_feed("stub")


def test_a_redirect_to_another_host_is_refused_and_never_fetched(
    stub: RunningStub, elsewhere: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    other = elsewhere.url.replace("127.0.0.1", "localhost")
    stub.state.redirect_to = f"{other}/api1/collections/x/objects/"
    report = _run(stub, sink, states)
    assert "refused to follow" in report.error
    assert "only http://127.0.0.1" in report.error
    assert elsewhere.state.requests == []
    assert sink.versions == {}


def test_a_redirect_to_another_port_of_the_same_host_is_refused(
    stub: RunningStub, elsewhere: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.redirect_to = f"{elsewhere.url}/api1/"
    report = _run(stub, sink, states)
    assert "refused to follow" in report.error
    assert elsewhere.state.requests == []


def test_a_next_link_to_another_host_is_refused(
    stub: RunningStub, elsewhere: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.add(*(indicator(n) for n in range(15)))
    stub.state.next_link = f"{elsewhere.url}/api1/collections/x/objects/?next=1"
    report = _run(stub, sink, states)
    assert "refused to follow" in report.error
    assert report.received == 10  # the first page was good and is kept
    assert elsewhere.state.requests == []


def test_a_next_link_to_another_path_of_the_same_server_is_refused(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.add(*(indicator(n) for n in range(15)))
    stub.state.next_link = "/admin/secrets"
    report = _run(stub, sink, states)
    assert "refused next link to /admin/secrets" in report.error
    assert len(stub.state.requests) == 1


def test_loopback_is_refused_unless_the_feed_allows_private_addresses(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    report = _run(stub, sink, states, allow_private_addresses=False)
    assert "127.0.0.1, a non-public address" in report.error
    assert stub.state.requests == []


def test_a_name_that_resolves_to_an_internal_address_is_refused_at_connect_time(
    sink: FakeSink, states: FakeStates
) -> None:
    def rebinding(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))]

    for allow_private in (False, True):  # private ranges opened for a lab: metadata still not
        feed = feed_for(
            "https://taxii.example.org",
            allow_private_addresses=allow_private,
            allow_plain_http=False,
        )
        runner = FeedRunner([feed], sink, states, env={}, resolve=rebinding)
        report = runner.run_feed("stub")
        assert "169.254.169.254, a cloud metadata address" in report.error


def test_a_body_larger_than_max_bytes_is_cut_while_streaming(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.endless_body = True
    report = _run(stub, sink, states, max_bytes=200_000)
    assert "larger than max_bytes=200000" in report.error
    assert sink.batches == 0


def test_a_declared_content_length_over_the_cap_is_refused_before_reading(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.add(*(indicator(n) for n in range(10)))
    report = _run(stub, sink, states, max_bytes=1024)
    assert "larger than max_bytes=1024" in report.error
    assert states.states["stub"].added_after is None


def test_a_slow_server_times_out_with_a_clear_error(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.delay_seconds = 1.0
    report = _run(stub, sink, states, timeout_seconds=0.2)
    assert "timed out" in report.error
    assert "limit 0.2s" in report.error


def test_credentials_are_sent_but_never_logged_nor_in_errors(
    stub: RunningStub, sink: FakeSink, states: FakeStates, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stub.state.token = SECRET
    stub.state.add(*(indicator(n) for n in range(3)))
    env = {"STUB_TOKEN": SECRET}
    good = _run(stub, sink, states, env, auth="bearer", token_env="STUB_TOKEN")
    assert good.ok, good.error
    assert stub.state.headers_seen[0]["authorization"] == f"Bearer {SECRET}"

    stub.state.token = "another"
    refused = _run(stub, sink, states, env, auth="bearer", token_env="STUB_TOKEN")
    assert "HTTP 401" in refused.error
    stub.state.token = SECRET
    stub.state.redirect_to = "http://localhost:1/"
    redirected = _run(stub, sink, states, env, auth="bearer", token_env="STUB_TOKEN")
    assert "refused" in redirected.error

    logged = caplog.text + "".join(detail for _, detail, _ in states.saves)
    assert "HTTP Request" in caplog.text  # httpx did log the requests, at DEBUG/INFO
    assert SECRET not in logged
    assert all(SECRET not in text for text in (refused.error, redirected.error))
    assert all(SECRET not in state.last_error for state, _, _ in states.saves)


def test_a_missing_credential_variable_is_named_without_a_value(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    report = _run(stub, sink, states, {}, auth="bearer", token_env="STUB_TOKEN")
    assert "STUB_TOKEN" in report.error
    assert stub.state.requests == []
    assert states.states["stub"].last_error == report.error
