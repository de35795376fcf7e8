"""The login throttle: attempts counted in the store before the password, on both databases.

Issue 9, item 8: 40 parallel wrong passwords let 20 guesses through a limit of 5, because
each attempt was checked before any failure was counted. The concurrency tests below send
attempts from many threads (and from two stores on one database, as two replicas would)
and count the attempts whose password was evaluated: the audit log holds one ``denied``
entry per evaluated attempt, none for a refused one.
"""

from __future__ import annotations

import math
import pickle
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.access.throttle import LoginThrottle, ThrottlePolicy, throttled_login
from shieldwall.config.settings import load_settings
from shieldwall.model.errors import AuthenticationError, RateLimitedError
from shieldwall.model.identity import Organisation, OrgKind, Person, Role
from shieldwall.runtime.wiring import open_services
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore

SIGNER = Signer.generate()
START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
EMAIL, PASSWORD = "pat@alpha.example", "correct horse"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def at(self, seconds: float) -> None:
        self.now = START + timedelta(seconds=seconds)


def _open(url: str) -> SqlStore:
    engine = create_sql_engine(url)
    migrate.upgrade(engine, signer=SIGNER)
    return SqlStore(engine, SIGNER)


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    """A store with one organisation and one person who has a password."""
    opened = _open(database_url)
    accounts.add_organisation(
        opened, OPERATOR, Organisation("alpha", "Alpha", OrgKind.NATION, "FR")
    )
    accounts.add_person(opened, OPERATOR, Person("", "alpha", "Pat", EMAIL, Role.ANALYST), PASSWORD)
    yield opened
    opened.close()


def _throttle(**policy: float) -> tuple[LoginThrottle, Clock]:
    clock = Clock()
    values = {"per_account": 3, "per_address": 5, "window_seconds": 60.0, **policy}
    return LoginThrottle(ThrottlePolicy(**values), clock=clock), clock  # type: ignore[arg-type]


def _try(store: SqlStore, throttle: LoginThrottle, email: str, address: str | None) -> str:
    """One attempt with a wrong password: ``denied`` (evaluated) or ``refused`` (429)."""
    try:
        throttled_login(store, throttle, email, "wrong", address)
    except AuthenticationError:
        return "denied"
    except RateLimitedError:
        return "refused"
    raise AssertionError("a wrong password logged in")


def _denied_entries(store: SqlStore) -> int:
    with store.reading() as tx:
        return sum(
            1
            for entry in tx.audit.entries()
            if entry.action == "session.login" and entry.outcome.value == "denied"
        )


# --- concurrency (the class of item 8) -------------------------------------------------


@pytest.mark.parametrize("address", [None, "10.0.0.1"])
def test_parallel_attempts_never_evaluate_more_than_the_limit(
    store: SqlStore, address: str | None
) -> None:
    throttle = LoginThrottle(ThrottlePolicy(per_account=5, per_address=30))
    barrier = threading.Barrier(40)

    def attempt(_: int) -> str:
        barrier.wait()
        return _try(store, throttle, EMAIL, address)

    with ThreadPoolExecutor(40) as pool:
        outcomes = list(pool.map(attempt, range(40)))
    assert outcomes.count("denied") == 5
    assert outcomes.count("refused") == 35
    assert _denied_entries(store) == 5


def test_two_replicas_share_the_limit(store: SqlStore, database_url: str) -> None:
    """Two stores on one database, as two API replicas: the limit holds across both."""
    other = _open(database_url)
    throttle = LoginThrottle(ThrottlePolicy(per_account=4, per_address=0))
    barrier = threading.Barrier(24)

    def attempt(number: int) -> str:
        barrier.wait()
        return _try(store if number % 2 else other, throttle, EMAIL.upper(), None)

    try:
        with ThreadPoolExecutor(24) as pool:
            outcomes = list(pool.map(attempt, range(24)))
    finally:
        other.close()
    assert outcomes.count("denied") == 4
    assert _denied_entries(store) == 4


def test_parallel_attempts_from_one_address_on_many_accounts(store: SqlStore) -> None:
    throttle = LoginThrottle(ThrottlePolicy(per_account=100, per_address=6))
    barrier = threading.Barrier(30)

    def attempt(number: int) -> str:
        barrier.wait()
        return _try(store, throttle, f"user{number}@alpha.example", "10.9.9.9")

    with ThreadPoolExecutor(30) as pool:
        outcomes = list(pool.map(attempt, range(30)))
    assert outcomes.count("denied") == 6


# --- the limits, one attempt at a time ---------------------------------------------------


def test_an_account_is_refused_past_its_limit_until_its_window_ends(store: SqlStore) -> None:
    throttle, clock = _throttle()
    for second in (0, 10, 20):
        clock.at(second)
        assert _try(store, throttle, EMAIL, "10.0.0.1") == "denied"
    clock.at(30)
    with pytest.raises(RateLimitedError) as refused:
        throttled_login(store, throttle, EMAIL, PASSWORD, "10.0.0.2")
    assert refused.value.retry_after == 30  # the window began at 0 s and lasts 60 s
    clock.at(60)
    assert throttled_login(store, throttle, EMAIL, PASSWORD, "10.0.0.2").secret


def test_the_account_key_ignores_case_and_spaces(store: SqlStore) -> None:
    throttle, _ = _throttle()
    for spelling in ("Pat@Alpha.example", " pat@alpha.example", "PAT@ALPHA.EXAMPLE"):
        assert _try(store, throttle, spelling, None) == "denied"
    assert _try(store, throttle, EMAIL, None) == "refused"


def test_one_address_failing_on_many_accounts_is_refused(store: SqlStore) -> None:
    throttle, _ = _throttle()
    for number in range(5):
        assert _try(store, throttle, f"user{number}@alpha.example", "10.0.0.9") == "denied"
    assert _try(store, throttle, "someone-new@alpha.example", "10.0.0.9") == "refused"
    assert _try(store, throttle, "someone-new@alpha.example", "10.0.0.10") == "denied"


def test_an_address_limit_of_zero_counts_accounts_only(store: SqlStore) -> None:
    """Behind a reverse proxy every client has the proxy's address: the operator turns it off."""
    throttle, _ = _throttle(per_address=0)
    for number in range(8):
        assert _try(store, throttle, f"user{number}@alpha.example", "10.0.0.9") == "denied"


def test_a_success_clears_the_account_and_gives_the_address_its_attempt_back(
    store: SqlStore,
) -> None:
    throttle, _ = _throttle(per_address=4)
    for _ in range(2):
        assert _try(store, throttle, EMAIL, "10.0.0.1") == "denied"
    assert throttled_login(store, throttle, EMAIL, PASSWORD, "10.0.0.1").secret
    for _ in range(2):  # the account starts afresh; the address holds 2 failures, not 3
        assert _try(store, throttle, EMAIL, "10.0.0.1") == "denied"
    assert _try(store, throttle, "other@alpha.example", "10.0.0.1") == "refused"


def test_the_store_keeps_neither_e_mails_nor_addresses(store: SqlStore) -> None:
    throttle, _ = _throttle()
    _try(store, throttle, EMAIL, "10.0.0.1")
    with store.engine.connect() as db:
        keys = db.exec_driver_sql("SELECT key FROM login_throttle").scalars().all()
    assert len(keys) == 2
    assert all(len(key) == 64 and "alpha" not in key and "10.0" not in key for key in keys)


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


def test_the_error_survives_pickling_with_its_retry_after() -> None:
    error = pickle.loads(pickle.dumps(RateLimitedError("slow down", retry_after=7)))
    assert (str(error), error.retry_after) == ("slow down", 7)


# --- the window, against a direct model ----------------------------------------------------


@dataclass
class Window:
    """The rule written out plainly: a window opens at the first attempt and lasts 60 s."""

    start: float = -1e9
    attempts: int = 0

    def attempt(self, at: float) -> int:
        if at - self.start >= 60.0:
            self.start, self.attempts = at, 0
        self.attempts += 1
        return self.attempts


@given(st.lists(st.floats(min_value=0, max_value=400, allow_nan=False), min_size=1, max_size=20))
@example(moments=[196.1567693244153] * 4)  # start + 60 - start is not 60.0 in floats
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_admitted_exactly_while_the_window_holds_fewer_than_the_limit(
    tmp_path_factory: pytest.TempPathFactory, moments: list[float]
) -> None:
    opened = _open(f"sqlite:///{tmp_path_factory.mktemp('window') / 'w.db'}")
    throttle, clock = _throttle(per_address=0)
    model = Window()
    try:
        for moment in sorted(moments):
            clock.at(moment)
            count = model.attempt(moment)
            try:
                throttle.admit(opened, EMAIL, None)
            except RateLimitedError as refused:
                assert count > 3
                left = round(model.start + 60.0 - moment, 6)  # the clock keeps microseconds
                assert refused.retry_after == max(1, math.ceil(left))
            else:
                assert count <= 3
    finally:
        opened.close()
