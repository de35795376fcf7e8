"""Webhook signatures: any change to the body, the timestamp or the key is refused, and so
is a timestamp outside the window (property tests)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shieldwall.respond.notify.signing import signature, signed_headers, verify

KEYS = st.text(min_size=32, max_size=64)
BODIES = st.binary(max_size=512)
NOW = 1_765_000_000


@given(KEYS, BODIES, st.integers(min_value=-300, max_value=300))
def test_a_fresh_signature_verifies(key: str, body: bytes, skew: int) -> None:
    headers = signed_headers(key, body, NOW, "delivery")
    stamp, given_ = headers["X-Shieldwall-Timestamp"], headers["X-Shieldwall-Signature"]
    assert given_.startswith("sha256=") and len(given_) == 7 + 64
    assert verify(key, body, stamp, given_, now=NOW + skew)


@given(KEYS, BODIES, BODIES)
def test_another_body_is_refused(key: str, body: bytes, other: bytes) -> None:
    if other != body:
        assert not verify(key, other, str(NOW), signature(key, NOW, body), now=NOW)


@given(KEYS, KEYS, BODIES)
def test_another_key_is_refused(key: str, other: str, body: bytes) -> None:
    if other != key:
        assert not verify(other, body, str(NOW), signature(key, NOW, body), now=NOW)


@given(KEYS, BODIES, st.integers(min_value=301, max_value=10**6))
def test_an_old_or_future_timestamp_is_refused(key: str, body: bytes, skew: int) -> None:
    sent = signature(key, NOW, body)
    assert not verify(key, body, str(NOW), sent, now=NOW + skew)
    assert not verify(key, body, str(NOW), sent, now=NOW - skew)


@given(KEYS, BODIES, st.text(max_size=12))
def test_a_malformed_timestamp_is_refused(key: str, body: bytes, stamp: str) -> None:
    if not stamp.isdigit():
        assert not verify(key, body, stamp, signature(key, NOW, body), now=NOW)


def test_the_timestamp_is_signed_with_the_body() -> None:
    key, body = "k" * 32, b'{"a":1}'
    assert not verify(key, body, str(NOW + 1), signature(key, NOW, body), now=NOW)
