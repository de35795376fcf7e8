"""The signed head as a file an operator keeps outside the database (``HEAD.json``).

Inside the database, an attacker who cuts the tail of the log and puts back an older head
leaves a shorter log that is consistent and correctly signed: nothing in the database can
tell. A head exported earlier and kept elsewhere can: the log must still hold its entry,
with its hash (``shieldwall audit verify --against HEAD.json``). The file carries the
head's own signature, so a file edited by hand is refused rather than trusted.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from shieldwall.model.audit import Checkpoint
from shieldwall.model.errors import InputError
from shieldwall.store.audit.signing import Statement, Verifier

FORMAT = "shieldwall-audit-head/1"
MAX_BYTES = 4096


def encode_head(head: Checkpoint) -> str:
    """The head as one JSON document (ends with a newline)."""
    body = {
        "format": FORMAT,
        "seq": head.seq,
        "hash": head.hash,
        "prev_checkpoint": head.prev_checkpoint,
        "signature": head.signature,
        "key_id": head.key_id,
        "at": head.at.isoformat(timespec="microseconds"),
    }
    return json.dumps(body, indent=2) + "\n"


def _field(body: dict[str, Any], name: str, kind: type, source: str) -> Any:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise InputError(
            f"must be {'an integer' if kind is int else 'text'}", source=source, place=name
        )
    return value


def decode_head(text: str, source: str, verifier: Verifier) -> Checkpoint:
    """The head in ``text`` (read from ``source``), signed by ``verifier``'s key; or InputError."""
    if len(text) > MAX_BYTES:
        raise InputError(f"longer than {MAX_BYTES} characters: not an exported head", source=source)
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not JSON ({exc.msg})", source=source, place=f"line {exc.lineno}"
        ) from exc
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise InputError(f"not an exported audit head (format {FORMAT})", source=source)
    try:
        at = datetime.fromisoformat(_field(body, "at", str, source))
    except ValueError as exc:
        raise InputError("not an ISO 8601 timestamp", source=source, place="at") from exc
    head = Checkpoint(
        seq=_field(body, "seq", int, source),
        hash=_field(body, "hash", str, source),
        signature=_field(body, "signature", str, source),
        key_id=_field(body, "key_id", str, source),
        at=at,
        prev_checkpoint=_field(body, "prev_checkpoint", int, source),
    )
    if not verifier.valid(Statement.HEAD, head):
        raise InputError(
            "its signature does not verify with this service's audit key", source=source
        )
    return head
