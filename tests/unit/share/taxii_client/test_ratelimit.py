"""Pacing: requests to one remote are spaced by 1/requests_per_second, never bursting."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from hypothesis import given
from hypothesis import strategies as st

from shieldwall.share.taxii_client.pull import FeedPuller
from shieldwall.share.taxii_client.ratelimit import RateLimiter
from shieldwall.share.taxii_client.transport import TaxiiHttp
from tests.unit.share.taxii_client.conftest import FakeSink, FakeStates, feed_for
from tests.unit.share.taxii_client.taxii_stub import RunningStub, indicator


@dataclass
class FakeTime:
    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@given(
    rate=st.floats(min_value=0.1, max_value=100),
    gaps=st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=30),
)
def test_no_two_requests_are_closer_than_the_rate_allows(rate: float, gaps: list[float]) -> None:
    time = FakeTime()
    limiter = RateLimiter(rate, clock=time.clock, sleep=time.sleep)
    sent: list[float] = []
    for gap in gaps:
        time.now += gap
        limiter.wait()
        sent.append(time.now)
    assert all(b - a >= 1 / rate - 1e-9 for a, b in itertools.pairwise(sent))


def test_a_paginated_pull_is_paced_by_the_feed_rate(
    stub: RunningStub, sink: FakeSink, states: FakeStates
) -> None:
    stub.state.add(*(indicator(n) for n in range(40)))
    feed = feed_for(stub.url, page_size=10, requests_per_second=2)
    time = FakeTime()
    limiter = RateLimiter(feed.requests_per_second, clock=time.clock, sleep=time.sleep)
    http = TaxiiHttp(feed, env={}, max_bytes=feed.max_bytes, limiter=limiter)
    try:
        report = FeedPuller(feed, http, sink, states).run()
    finally:
        http.close()
    assert report.pages == 4
    assert time.sleeps == [0.5, 0.5, 0.5]
