"""Brute-force protection for ``/api/v1/login``: attempts per account and per address.

Argon2 makes each guess cost the attacker (and the server) tens of milliseconds. That alone
still allows some 100,000 guesses a day at one account. So at most ``per_account`` attempts
for one e-mail, or ``per_address`` from one client address, are evaluated within a window
of ``window_seconds`` from the first; further attempts are refused with 429 and a
``Retry-After``, and their password is not checked at all: a refused attempt tells nothing
and costs no hashing.

Each attempt is **counted before its password is checked**, in one atomic statement of the
database (:meth:`LoginAttemptRepository.charge`) that returns the new count: forty
attempts sent at once get the counts 1 to 40, and only those within the limit go on to
the password check. (Checking first and counting after a failure let every attempt in
flight pass the check: 40 parallel guesses got 20 through a limit of 5.) A success takes
its attempt back from the address and clears the account. An unknown e-mail counts like a
known one, so the limit is no oracle for which accounts exist.

The counts live in the database, so every replica shares them. Keys are SHA-256 digests of
the e-mail's identity key (:func:`shieldwall.model.emails.email_key`: every spelling of an
address is one account here too) or the address: the table holds no e-mail or address in clear.
The trade-off of any lockout applies: someone who knows an address can keep its owner from
logging in with a password for the window; API tokens keep working.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shieldwall.access import accounts
from shieldwall.model.credentials import IssuedToken
from shieldwall.model.emails import email_key
from shieldwall.model.errors import RateLimitedError
from shieldwall.store.protocols import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many attempts are evaluated, and over how long."""

    per_account: int = 5
    per_address: int = 30
    """0 turns the address limit off."""
    window_seconds: float = 900.0

    @property
    def window(self) -> timedelta:
        """The window as a duration."""
        return timedelta(seconds=self.window_seconds)


def _now() -> datetime:
    return datetime.now(UTC)


class LoginThrottle:
    """The policy and the clock; the counts are in the store, shared by every replica."""

    def __init__(
        self, policy: ThrottlePolicy | None = None, clock: Callable[[], datetime] = _now
    ) -> None:
        self.policy = policy or ThrottlePolicy()
        self._clock = clock

    def admit(self, store: Store, email: str, address: str | None) -> None:
        """Count this attempt; RateLimitedError if it is past a limit (then check nothing)."""
        now = self._clock()
        window = self.policy.window
        waits: list[float] = []
        with store.transaction() as tx:
            tx.login_attempts.purge(now - window)
            for key, limit in self._keys(email, address):
                attempts, start = tx.login_attempts.charge(key, now, window)
                if attempts == limit + 1:
                    log.warning("login throttled for key %s after %d attempts", key[:12], limit)
                if attempts > limit:
                    waits.append((start + window - now).total_seconds())
        if waits:
            raise RateLimitedError(
                "too many failed logins; try again later", retry_after=max(1, math.ceil(max(waits)))
            )

    def succeeded(self, store: Store, email: str, address: str | None) -> None:
        """A correct password: the account starts afresh, the address gets its attempt back."""
        keys = self._keys(email, address)
        with store.transaction() as tx:
            tx.login_attempts.clear(keys[0][0])
            for key, _ in keys[1:]:
                tx.login_attempts.refund(key)

    def _keys(self, email: str, address: str | None) -> list[tuple[str, int]]:
        keys = [(_key("account", email_key(email)), self.policy.per_account)]
        if address and self.policy.per_address > 0:
            keys.append((_key("address", address), self.policy.per_address))
        return keys


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode("utf-8", "surrogatepass")).hexdigest()


def throttled_login(
    store: Store, throttle: LoginThrottle, email: str, password: str, address: str | None
) -> IssuedToken:
    """:func:`accounts.login` behind the throttle: counted first, refused past the limit."""
    throttle.admit(store, email, address)
    issued = accounts.login(store, email, password)  # a failure is counted already
    throttle.succeeded(store, email, address)
    return issued
