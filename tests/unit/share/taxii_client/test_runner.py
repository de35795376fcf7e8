"""The schedule: a feed runs when its interval has passed since its last run, bad feeds alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shieldwall.model.errors import NotFoundError
from shieldwall.share.taxii_client.runner import FeedRunner
from tests.unit.share.taxii_client.conftest import FakeSink, FakeStates, feed_for
from tests.unit.share.taxii_client.taxii_stub import RunningStub, indicator

START = datetime(2025, 1, 1, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def test_feeds_run_when_due_and_a_broken_feed_does_not_stop_the_others(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.add(indicator(1))
    good = feed_for(stub.url, name="good", interval_seconds=600)
    broken = feed_for(stub.url, name="broken", auth="bearer", token_env="UNSET_TOKEN")
    clock = Clock()
    runner = FeedRunner([good, broken], sink, states, env={}, clock=clock)

    first = {report.feed: report for report in runner.run_due()}
    assert first["good"].ok and first["good"].stored == 1
    assert "UNSET_TOKEN" in first["broken"].error
    assert runner.run_due() == []  # nothing is due again at the same instant
    assert runner.seconds_until_next() == 60.0  # capped idle; good is due in 600 s

    clock.now = START + timedelta(seconds=599)
    assert [r.feed for r in runner.run_due()] == []
    clock.now = START + timedelta(seconds=600)
    assert sorted(r.feed for r in runner.run_due()) == ["good"]
    assert states.states["good"].runs == 2
    assert states.states["good"].last_run_at == clock.now


def test_an_unknown_feed_is_named_with_the_configured_ones(
    sink: FakeSink, states: FakeStates
) -> None:
    runner = FeedRunner([feed_for("https://taxii.example.org", name="known")], sink, states, env={})
    with pytest.raises(NotFoundError, match=r"'nope' is not configured \(known: known\)"):
        runner.run_feed("nope")
