"""Webhook signatures: HMAC-SHA256 over the timestamp and the body, so receivers can refuse
forgeries and replays.

Each request carries three headers::

    X-Shieldwall-Timestamp: 1765120000            (Unix seconds when it was signed)
    X-Shieldwall-Signature: sha256=<hex>          (HMAC-SHA256 of "<timestamp>.<body>")
    X-Shieldwall-Delivery:  <delivery key>        (the same on every retry: drop repeats)

A receiver recomputes the HMAC with the key it shares with its channel, compares in
constant time, and refuses a timestamp outside its window (:func:`verify`, the same code a
Python receiver can copy). Signing the timestamp with the body makes an old request
useless to whoever recorded it; the delivery key lets a receiver drop a retry of a request
it already processed (a retry is signed afresh, so its timestamp is new).
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Shieldwall-Timestamp"
SIGNATURE_HEADER = "X-Shieldwall-Signature"
DELIVERY_HEADER = "X-Shieldwall-Delivery"
SCHEME = "sha256="


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for this body at this time."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return SCHEME + mac.hexdigest()


def signed_headers(secret: str, body: bytes, timestamp: int, delivery_key: str) -> dict[str, str]:
    """The headers of one signed webhook request."""
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        DELIVERY_HEADER: delivery_key,
    }


def verify(
    secret: str, body: bytes, timestamp: str, given: str, *, now: float, window: int = 300
) -> bool:
    """Whether a received request is authentic and fresh (what a receiver checks)."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > window:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), given)
