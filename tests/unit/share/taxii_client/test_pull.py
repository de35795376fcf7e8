"""Pulling from a TAXII 2.1 server on 127.0.0.1: pagination, resumption, idempotence, limits."""

from __future__ import annotations

from typing import Any

from shieldwall.share.taxii_client.runner import FeedRunner
from tests.unit.share.taxii_client.conftest import FakeSink, FakeStates, feed_for
from tests.unit.share.taxii_client.taxii_stub import RunningStub, indicator


def _runner(stub: RunningStub, sink: FakeSink, states: FakeStates, **feed: Any) -> FeedRunner:
    return FeedRunner([feed_for(stub.url, **feed)], sink, states, env={})


def _requested_params(stub: RunningStub) -> list[dict[str, str]]:
    return [dict(request.query_params) for request in stub.state.requests]


def test_follows_next_pagination_to_the_end(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.add(*(indicator(n) for n in range(25)))
    report = _runner(stub, sink, states, page_size=10).run_feed("stub")
    assert report.ok, report.error
    assert (report.pages, report.received, report.stored) == (3, 25, 25)
    assert [p.get("next") for p in _requested_params(stub)] == [None, "10", "20"]
    assert report.stopped == "complete"


def test_resumes_from_the_last_date_added_and_fetches_only_new_objects(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.add(*(indicator(n) for n in range(5)))
    runner = _runner(stub, sink, states)
    first = runner.run_feed("stub")
    last_added = stub.state.objects[-1][0]
    assert first.resume_point == last_added
    assert states.states["stub"].added_after == last_added

    stub.state.add(indicator(100), indicator(101))
    stub.state.requests.clear()
    second = runner.run_feed("stub")
    assert _requested_params(stub)[0]["added_after"] == last_added
    assert (second.received, second.stored) == (2, 2)
    assert len(sink.versions) == 7


def test_a_rerun_from_the_same_point_stores_nothing_twice(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.add(*(indicator(n) for n in range(12)))
    runner = _runner(stub, sink, states)
    runner.run_feed("stub")
    states.states["stub"] = states.states["stub"].__class__(name="stub")  # lost resume point
    again = runner.run_feed("stub")
    assert (again.received, again.stored, again.unchanged) == (12, 0, 12)
    assert len(sink.versions) == 12


def test_a_new_version_of_a_known_object_is_stored(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.add(indicator(1))
    runner = _runner(stub, sink, states)
    runner.run_feed("stub")
    stub.state.add(indicator(1, version=2))
    report = runner.run_feed("stub")
    assert report.stored == 1
    assert len(sink.versions) == 2


def test_a_run_interrupted_mid_way_resumes_after_the_last_stored_page(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.add(*(indicator(n) for n in range(30)))
    capped = _runner(stub, sink, states, page_size=10, max_objects_per_run=20)
    first = capped.run_feed("stub")
    assert first.stopped == "max_objects_per_run reached"
    assert first.received == 20
    assert states.states["stub"].added_after == stub.state.objects[19][0]
    second = _runner(stub, sink, states, page_size=10).run_feed("stub")
    assert (second.received, second.stored) == (10, 10)
    assert len(sink.versions) == 30


def test_object_cap_inside_a_page_keeps_the_resume_point(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.add(*(indicator(n) for n in range(10)))
    report = _runner(stub, sink, states, page_size=10, max_objects_per_run=4).run_feed("stub")
    assert report.received == 4
    assert _requested_params(stub)[0]["limit"] == "4"
    assert states.states["stub"].objects_total == 4


def test_without_next_the_client_pages_by_date_added(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.add(*(indicator(n) for n in range(15)))
    stub.state.next_link = ""  # the stub then sends more=true without a next token
    report = _runner(stub, sink, states, page_size=10).run_feed("stub")
    params = _requested_params(stub)
    assert report.ok, report.error
    assert params[1]["added_after"] == stub.state.objects[9][0]
    assert report.received == 15


def test_more_without_next_or_date_stops_with_an_error_instead_of_looping(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.add(*(indicator(n) for n in range(15)))
    stub.state.next_link = ""
    stub.state.omit_date_header = True
    report = _runner(stub, sink, states, page_size=10).run_feed("stub")
    assert "neither a next token nor an advancing" in report.error
    assert len(stub.state.requests) == 1
    assert states.saves[-1][2] is False
