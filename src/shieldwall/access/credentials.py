"""Secrets: API tokens (256 random bits, stored as SHA-256) and passwords (argon2).

A token reads ``swt_<id>_<secret>``: the prefix lets scanners and people recognise a leaked
token, the public id finds the row without scanning, and only the SHA-256 of the whole token
is stored. A fast hash is right for tokens (256 random bits cannot be guessed); passwords,
which people choose, get argon2id.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shieldwall.model.credentials import TOKEN_PREFIX
from shieldwall.model.errors import AuthenticationError

TOKEN_BYTES = 32
TOKEN_SHAPE = re.compile(rf"^{TOKEN_PREFIX}([a-z0-9]{{16}})_([A-Za-z0-9_-]{{43}})$")
_hasher = PasswordHasher()


def new_token() -> tuple[str, str]:
    """A fresh (public id, full token) pair; the full token is shown once."""
    token_id = secrets.token_hex(8)
    return token_id, f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(TOKEN_BYTES)}"


def token_hash(token: str) -> str:
    """What the store keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def parse_token(token: str) -> str:
    """The public id of a well-formed token; AuthenticationError otherwise."""
    match = TOKEN_SHAPE.match(token)
    if match is None:
        raise AuthenticationError("malformed token")
    return match.group(1)


def token_matches(token: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return hmac.compare_digest(token_hash(token), stored_hash)


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    return _hasher.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (False on any malformed hash)."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
