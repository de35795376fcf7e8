"""Brute-force protection for ``/api/v1/login``: failed attempts per account and per address.

Argon2 makes each guess cost the attacker (and the server) tens of milliseconds. That alone
still allows some 100,000 guesses a day at one account. So after ``per_account`` failures
for one e-mail, or ``per_address`` failures from one client address, within ``window``,
further attempts are refused with 429 and a ``Retry-After``. The password is then not
checked at all: a refused attempt tells nothing and costs no hashing. A success clears the
account's failures. An unknown e-mail counts like a known one, so the limit is no oracle for
which accounts exist.

The counts live in the process: a deployment of several API replicas multiplies the limits
by their number (docs/operations.md). Memory is bounded by ``max_keys``; past it, the keys
idle longest are forgotten first. The trade-off of any lockout applies: someone who knows an
address can keep its owner from logging in with a password for ``window``; API tokens keep
working.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from shieldwall.access import accounts
from shieldwall.model.credentials import IssuedToken
from shieldwall.model.errors import AuthenticationError, RateLimitedError
from shieldwall.store.protocols import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures are allowed, and over how long."""

    per_account: int = 5
    per_address: int = 30
    """0 turns the address limit off."""
    window_seconds: float = 900.0
    max_keys: int = 100_000


class LoginThrottle:
    """Sliding-window failure counts; thread-safe (the API serves requests from a pool)."""

    def __init__(
        self,
        policy: ThrottlePolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or ThrottlePolicy()
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, email: str, address: str | None) -> None:
        """Raise :class:`RateLimitedError` if either key has used up its failures."""
        now = self._clock()
        with self._lock:
            waits = [self._wait(key, limit, now) for key, limit in self._keys(email, address)]
        wait = max(waits, default=0.0)
        if wait > 0:
            raise RateLimitedError(
                "too many failed logins; try again later", retry_after=math.ceil(wait)
            )

    def failed(self, email: str, address: str | None) -> None:
        """Count one failed attempt against the account and the address."""
        now = self._clock()
        with self._lock:
            for key, limit in self._keys(email, address):
                times = self._failures.pop(key, None) or deque()
                times.append(now)
                self._failures[key] = times
                if len(times) == limit:
                    log.warning("login throttled for %s after %d failures", key, limit)
            while len(self._failures) > self.policy.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, email: str) -> None:
        """A correct password: the account starts afresh (its address keeps its count)."""
        with self._lock:
            self._failures.pop(_account_key(email), None)

    def _keys(self, email: str, address: str | None) -> list[tuple[str, int]]:
        keys = [(_account_key(email), self.policy.per_account)]
        if address and self.policy.per_address > 0:
            keys.append((f"address:{address}", self.policy.per_address))
        return keys

    def _wait(self, key: str, limit: int, now: float) -> float:
        """Seconds until ``key`` may try again (0 when it may now); drops expired failures."""
        times = self._failures.get(key)
        if times is None:
            return 0.0
        horizon = now - self.policy.window_seconds
        while times and times[0] <= horizon:
            times.popleft()
        if not times:
            del self._failures[key]
            return 0.0
        if len(times) < limit:
            return 0.0
        return times[len(times) - limit] - horizon


def _account_key(email: str) -> str:
    return f"account:{email.strip().casefold()}"


def throttled_login(
    store: Store, throttle: LoginThrottle, email: str, password: str, address: str | None
) -> IssuedToken:
    """:func:`accounts.login` behind the throttle: refused early, failures counted."""
    throttle.check(email, address)
    try:
        issued = accounts.login(store, email, password)
    except AuthenticationError:
        throttle.failed(email, address)
        raise
    throttle.succeeded(email)
    return issued
