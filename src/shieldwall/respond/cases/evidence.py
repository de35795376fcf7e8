"""Evidence files: size limits, names, media types, and SHA-256 on the way in and out.

The bytes are content-addressed in the database (``case_blobs``, keyed by their SHA-256):
one copy per distinct file, however many cases hold it, in the same transaction as the
item naming it. A file over the limit is refused with a :class:`LimitExceededError`
naming ``case_evidence_max_bytes`` (413 through the API), before anything is written;
reading a file back recomputes its SHA-256 and refuses bytes that no longer match.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from shieldwall.model.errors import InputError, IntegrityError, LimitExceededError
from shieldwall.respond.cases.values import file_name

DEFAULT_MAX_BYTES = 1_048_576
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")


@dataclass(frozen=True, slots=True)
class EvidenceLimits:
    """The largest evidence file kept, in bytes (the setting ``case_evidence_max_bytes``)."""

    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass(frozen=True, slots=True)
class CheckedEvidence:
    """An evidence file's name, media type and SHA-256, as kept."""

    name: str
    media_type: str
    sha256: str


def check_evidence(
    name: str, content: bytes, media_type: str, limits: EvidenceLimits
) -> CheckedEvidence:
    """The evidence as kept; LimitExceededError when too large, InputError when malformed."""
    if len(content) > limits.max_bytes:
        raise LimitExceededError(
            f"an evidence file holds at most {limits.max_bytes} bytes, this one {len(content)}",
            limit="case_evidence_max_bytes",
            place="content",
        )
    if not content:
        raise InputError("an evidence file cannot be empty", place="content")
    kind = media_type.strip().lower().split(";", 1)[0].strip() or "application/octet-stream"
    if not _MEDIA_TYPE.match(kind):
        raise InputError("not a media type", place="media_type")
    return CheckedEvidence(file_name(name), kind, hashlib.sha256(content).hexdigest())


def verified(sha256: str, content: bytes | None) -> bytes:
    """The stored bytes, when they still hash to ``sha256``; IntegrityError otherwise."""
    if content is None or hashlib.sha256(content).hexdigest() != sha256:
        raise IntegrityError(f"evidence {sha256} does not match its SHA-256")
    return content
