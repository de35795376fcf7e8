"""The failed-login throttle: sliding windows per account and per address."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.access.throttle import LoginThrottle, ThrottlePolicy
from shieldwall.config.settings import load_settings
from shieldwall.model.errors import RateLimitedError
from shieldwall.runtime.wiring import open_services


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _throttle(**policy: float) -> tuple[LoginThrottle, Clock]:
    clock = Clock()
    settings = {"per_account": 3, "per_address": 5, "window_seconds": 60.0, **policy}
    return LoginThrottle(ThrottlePolicy(**settings), clock=clock), clock  # type: ignore[arg-type]


def test_an_account_is_refused_after_its_failures_until_the_oldest_leaves_the_window() -> None:
    throttle, clock = _throttle()
    for second in (0, 10, 20):
        clock.now = 1000.0 + second
        throttle.check("pat@alpha.example", "10.0.0.1")
        throttle.failed("pat@alpha.example", "10.0.0.1")
    with pytest.raises(RateLimitedError) as refused:
        throttle.check("pat@alpha.example", "10.0.0.2")
    assert refused.value.retry_after == 40  # the failure at 0 s leaves the window at 60 s
    clock.now = 1000.0 + 60
    throttle.check("pat@alpha.example", "10.0.0.2")


def test_the_account_key_ignores_case_and_spaces() -> None:
    throttle, _ = _throttle()
    for spelling in ("Pat@Alpha.example", " pat@alpha.example", "PAT@ALPHA.EXAMPLE"):
        throttle.failed(spelling, None)
    with pytest.raises(RateLimitedError):
        throttle.check("pat@alpha.example", None)


def test_one_address_failing_on_many_accounts_is_refused() -> None:
    throttle, _ = _throttle()
    for number in range(5):
        throttle.failed(f"user{number}@alpha.example", "10.0.0.9")
    with pytest.raises(RateLimitedError):
        throttle.check("someone-new@alpha.example", "10.0.0.9")
    throttle.check("someone-new@alpha.example", "10.0.0.10")


def test_an_address_limit_of_zero_counts_accounts_only() -> None:
    """Behind a reverse proxy every client has the proxy's address: the operator turns it off."""
    throttle, _ = _throttle(per_address=0)
    for number in range(50):
        throttle.failed(f"user{number}@alpha.example", "10.0.0.9")
    throttle.check("someone-new@alpha.example", "10.0.0.9")


def test_the_settings_give_the_services_their_limits(tmp_path: Path) -> None:
    env = {
        "SHIELDWALL_DATA_DIR": str(tmp_path),
        "SHIELDWALL_LOGIN_FAILURES_PER_ACCOUNT": "2",
        "SHIELDWALL_LOGIN_FAILURES_PER_ADDRESS": "0",
    }
    services = open_services(load_settings(env))
    try:
        assert services.login_throttle.policy.per_account == 2
        assert services.login_throttle.policy.per_address == 0
    finally:
        services.close()


def test_a_success_clears_the_account_but_not_the_address() -> None:
    throttle, _ = _throttle(per_address=3)
    for _ in range(2):
        throttle.failed("pat@alpha.example", "10.0.0.1")
    throttle.succeeded("pat@alpha.example")
    throttle.failed("pat@alpha.example", "10.0.0.1")
    throttle.failed("pat@alpha.example", "10.0.0.2")
    throttle.check("pat@alpha.example", "10.0.0.2")
    with pytest.raises(RateLimitedError):
        throttle.check("other@alpha.example", "10.0.0.1")


def test_memory_is_bounded_by_forgetting_the_longest_idle_keys() -> None:
    throttle, _ = _throttle(max_keys=10)
    for number in range(100):
        throttle.failed(f"user{number}@alpha.example", None)
    assert len(throttle._failures) == 10
    for _ in range(2):
        throttle.failed("user99@alpha.example", None)
    with pytest.raises(RateLimitedError):
        throttle.check("user99@alpha.example", None)


def test_the_error_survives_pickling_with_its_retry_after() -> None:
    error = pickle.loads(pickle.dumps(RateLimitedError("slow down", retry_after=7)))
    assert (str(error), error.retry_after) == ("slow down", 7)


@given(
    st.lists(st.floats(min_value=0, max_value=500, allow_nan=False), min_size=1, max_size=30),
    st.floats(min_value=0, max_value=600, allow_nan=False),
)
def test_refused_exactly_when_the_window_holds_the_limit(
    failures: list[float], later: float
) -> None:
    """Against a direct count: refused iff ``per_account`` failures lie in the last window."""
    throttle, clock = _throttle(per_address=1000)
    moments = sorted(failures)
    for moment in moments:
        clock.now = 1000.0 + moment
        throttle.failed("pat@alpha.example", None)
    clock.now = 1000.0 + max(moments[-1], later)
    in_window = [m for m in moments if 1000.0 + m > clock.now - 60.0]
    try:
        throttle.check("pat@alpha.example", None)
    except RateLimitedError as refused:
        assert len(in_window) >= 3
        assert 0 < refused.retry_after <= 60
    else:
        assert len(in_window) < 3
