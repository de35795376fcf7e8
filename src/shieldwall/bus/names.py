"""Subject, consumer and key names and consumer settings, checked before any bus sees them.

One rule for both implementations keeps them interchangeable: a name the embedded bus
accepts is one NATS accepts too. Subject tokens exclude ``_`` so that the NATS stream name
derived from a subject (``.`` becomes ``_``) can never collide with another subject's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from shieldwall.model.errors import BusError

MAX_SUBJECT_LENGTH = 128
MAX_CONSUMER_LENGTH = 64
MAX_KEY_LENGTH = 256

_SUBJECT = re.compile(r"[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*")
_CONSUMER = re.compile(r"[a-z0-9][a-z0-9-]*")


def check_subject(subject: str) -> str:
    """Return ``subject`` unchanged, or raise :class:`BusError` saying what a subject is."""
    if len(subject) > MAX_SUBJECT_LENGTH or not _SUBJECT.fullmatch(subject):
        raise BusError(
            f"bad subject {subject!r}: use up to {MAX_SUBJECT_LENGTH} characters, "
            "tokens of lowercase letters, digits and '-' separated by '.' "
            "(no wildcards, no '_', no empty token)"
        )
    return subject


def check_consumer(name: str) -> str:
    """Return the durable consumer ``name`` unchanged, or raise :class:`BusError`."""
    if len(name) > MAX_CONSUMER_LENGTH or not _CONSUMER.fullmatch(name):
        raise BusError(
            f"bad consumer name {name!r}: use up to {MAX_CONSUMER_LENGTH} lowercase letters, "
            "digits and '-'"
        )
    return name


def check_key(subject: str, key: str) -> str:
    """Return the idempotency ``key`` unchanged, or raise :class:`BusError`.

    NATS carries the key in a header, which must be printable, on one line and unpadded.
    """
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or key != key.strip():
        raise BusError(
            f"bad idempotency key {key!r} for subject {subject!r}: use 1 to "
            f"{MAX_KEY_LENGTH} printable characters, not starting or ending with a space"
        )
    return key


def check_batch(subject: str, messages: Sequence[tuple[str, bytes]]) -> None:
    """Check a publish batch before anything is stored: the subject and every key."""
    check_subject(subject)
    keys = [key for key, _ in messages]
    joined = "".join(keys)
    if (
        keys
        and joined.isprintable()
        and " " not in joined
        and min(map(len, keys)) > 0
        and max(map(len, keys)) <= MAX_KEY_LENGTH
    ):
        return  # every key is good: checked at C speed, without a call per key
    for key in keys:
        check_key(subject, key)


def check_consumer_settings(ack_wait: float, max_deliver: int) -> None:
    """Refuse consumer settings that would make it spin or never deliver."""
    if not ack_wait > 0:
        raise BusError(f"consumer ack_wait must be more than 0 seconds, got {ack_wait}")
    if max_deliver < 1:
        raise BusError(f"consumer max_deliver must be at least 1, got {max_deliver}")
