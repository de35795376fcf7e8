"""Turning a presented bearer token into a Principal, or refusing it.

Checked on every request, in this order: shape, known id, hash, not revoked, not expired,
person active, organisation active. Every refusal is the same AuthenticationError message to
the caller, so a probe learns nothing about which check failed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from shieldwall.access.credentials import parse_token, token_matches
from shieldwall.model.errors import AuthenticationError
from shieldwall.model.identity import Principal
from shieldwall.store.protocols import Store

TOUCH_EVERY = timedelta(minutes=5)
"""``last_used_at`` is refreshed at most this often, so reads do not become writes."""

REFUSED = "invalid, expired or revoked token"


def _now() -> datetime:
    return datetime.now(UTC)


def authenticate(store: Store, token: str, clock: Callable[[], datetime] = _now) -> Principal:
    """The principal a valid token stands for; AuthenticationError otherwise.

    Checked in a read-only transaction, so a request never waits for another member's
    write to learn who is asking; the token's last use is written (in a short write
    transaction of its own) only when it is older than ``TOUCH_EVERY``.
    """
    token_id = parse_token(token)
    now = clock()
    with store.reading() as tx:
        stored = tx.tokens.get(token_id)
        secret_hash = tx.tokens.secret_hash(token_id)
        if stored is None or secret_hash is None or not token_matches(token, secret_hash):
            raise AuthenticationError(REFUSED)
        if not stored.usable_at(now):
            raise AuthenticationError(REFUSED)
        person = tx.people.get(stored.person_id)
        org = tx.organisations.get(person.org_id) if person else None
        if person is None or org is None or not person.active or not org.active:
            raise AuthenticationError(REFUSED)
    if stored.last_used_at is None or now - stored.last_used_at > TOUCH_EVERY:
        with store.transaction() as tx:
            tx.tokens.touch(token_id, now)
    return Principal(
        person_id=person.id,
        org_id=org.id,
        role=person.role,
        org_kind=org.kind,
        country=org.country,
        sectors=org.sectors,
        token_id=token_id,
    )
