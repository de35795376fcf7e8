"""API tokens as the domain sees them: never the secret, only what identifies it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

TOKEN_PREFIX = "swt_"
"""Every Shieldwall token starts with this, so secret scanners and people recognise it."""


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A stored token: the public id and metadata; the secret itself is kept only as a hash."""

    id: str
    person_id: str
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def usable_at(self, now: datetime) -> bool:
        """True when the token is neither revoked nor expired at ``now``."""
        return self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """What creating a token returns, once: the stored token and the full secret."""

    token: ApiToken
    secret: str
