"""Opaque ``next`` tokens: bound to principal and filter, signed, surviving a restart.

A token carries the sequence number of the last row served, the person it was issued to,
a digest of the request's filter (endpoint, collection, object, every query parameter but
``next`` and ``limit``) and the time it was issued, authenticated with HMAC-SHA256 under a
key kept in the data directory (``taxii-cursor.key``, created on first use). Paging resumes
by sequence number (keyset), so the cost of a page does not depend on its depth, and a
token stays valid across a restart and on every replica that shares the key file.

A token is refused (400) when it is malformed, forged, issued to another person, used with
other filters, or older than :data:`TOKEN_TTL` (one hour; every page issues a fresh one).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import orjson

from shieldwall.model.errors import InputError

TOKEN_TTL = 3600
KEY_FILE = "taxii-cursor.key"


def load_or_create_key(data_dir: Path) -> bytes:
    """The cursor key from the data directory, created (mode 0600) when absent."""
    path = data_dir / KEY_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(key.hex())
        return key


def cursor_codec(data_dir: Path) -> CursorCodec:
    """The codec of the server whose data directory this is (its key made on first use)."""
    return CursorCodec(load_or_create_key(data_dir))


def filter_digest(parts: Iterable[tuple[str, str]]) -> str:
    """A digest of what the request asked for (order of parameters does not matter)."""
    canonical = orjson.dumps(sorted(parts))
    return hashlib.sha256(canonical).hexdigest()[:32]


class CursorCodec:
    """Issues and checks tokens with one key."""

    def __init__(self, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self._key = key
        self._clock = clock

    def issue(self, person_id: str, digest: str, last_seq: int) -> str:
        payload = orjson.dumps(
            {"p": person_id, "f": digest, "s": last_seq, "t": int(self._clock())}
        )
        body = _b64(payload)
        return f"{body}.{_b64(self._mac(body))}"

    def resume(self, token: str, person_id: str, digest: str) -> int:
        """The sequence number to continue after; InputError when the token does not fit."""
        body, _, mac = token.partition(".")
        try:
            expected = self._mac(body)
            if not hmac.compare_digest(_unb64(mac), expected):
                raise InputError("next token is not valid", place="next")
            payload = orjson.loads(_unb64(body))
        except (ValueError, orjson.JSONDecodeError) as exc:
            raise InputError("next token is not valid", place="next") from exc
        if payload.get("p") != person_id or payload.get("f") != digest:
            raise InputError("next token does not belong to this request", place="next")
        if self._clock() - int(payload.get("t", 0)) > TOKEN_TTL:
            raise InputError("next token has expired; start again", place="next")
        return int(payload["s"])

    def _mac(self, body: str) -> bytes:
        return hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
