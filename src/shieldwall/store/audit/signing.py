"""The Ed25519 key that signs audit checkpoints and the chain head.

The private key lives in the data directory (mode 0600), created on first use. Anyone with
the public key can verify; only the service can sign, so an attacker who edits the database
cannot re-sign a rewritten or shortened chain.

Heads and checkpoints are signed under different domain-separation labels, so a
checkpoint's signature can never stand in for a head (a tail cut back to a checkpoint and
that checkpoint copied into the head row would otherwise verify). Each statement also
signs the ``seq`` of the checkpoint before it, which makes the checkpoints a signed list:
deleting one breaks it. Statements signed before the labels existed (``legacy_valid``) are
accepted by nothing but the upgrade that re-signs them (:mod:`shieldwall.store.sql.audit_genesis`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shieldwall.model.audit import Checkpoint
from shieldwall.model.errors import ConfigError

KEY_FILE = "audit-ed25519.pem"


class Statement(StrEnum):
    """What a signature vouches for; each kind has its own label."""

    HEAD = "head"
    CHECKPOINT = "checkpoint"


LABELS = {
    Statement.HEAD: b"shieldwall/audit/head/v1",
    Statement.CHECKPOINT: b"shieldwall/audit/checkpoint/v1",
}


def _message(
    kind: Statement, seq: int, chain_hash: str, prev_checkpoint: int, at: datetime
) -> bytes:
    """Every column of a statement but the key's name (checked apart) is signed."""
    stamp = at.astimezone(UTC).isoformat(timespec="microseconds")
    return LABELS[kind] + b"\x00" + f"{seq}|{chain_hash}|{prev_checkpoint}|{stamp}".encode()


def _legacy_message(seq: int, chain_hash: str) -> bytes:
    """What heads and checkpoints both signed before the labels (schema revision < 0005)."""
    return f"shieldwall-audit-v1|{seq}|{chain_hash}".encode()


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """A short stable name for a public key (the first 16 hex digits of its SHA-256)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class Verifier:
    """Checks signatures made by :class:`Signer` with the matching key."""

    public_key: Ed25519PublicKey

    @property
    def key_id(self) -> str:
        """The name of the key signatures must carry."""
        return key_id_of(self.public_key)

    def valid(self, kind: Statement, statement: Checkpoint) -> bool:
        """True when the statement's signature signs it, as a ``kind``, with this key (and it
        names this key)."""
        message = _message(
            kind, statement.seq, statement.hash, statement.prev_checkpoint, statement.at
        )
        return statement.key_id == self.key_id and self._checks(statement.signature, message)

    def legacy_valid(self, statement: Checkpoint) -> bool:
        """True when the statement carries a pre-label signature of this key (upgrade only)."""
        return self._checks(statement.signature, _legacy_message(statement.seq, statement.hash))

    def _checks(self, signature_hex: str, message: bytes) -> bool:
        try:
            self.public_key.verify(bytes.fromhex(signature_hex), message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """Signs (seq, hash) statements about the audit chain."""

    private_key: Ed25519PrivateKey

    @property
    def verifier(self) -> Verifier:
        """The verifier for this signer's public key."""
        return Verifier(self.private_key.public_key())

    @property
    def key_id(self) -> str:
        """The name of this key, stored next to each signature."""
        return self.verifier.key_id

    def sign(
        self, kind: Statement, seq: int, chain_hash: str, prev_checkpoint: int, at: datetime
    ) -> str:
        """Sign, as a ``kind``, that the chain up to ``seq`` ends in ``chain_hash``; hex."""
        message = _message(kind, seq, chain_hash, prev_checkpoint, at)
        return self.private_key.sign(message).hex()

    @classmethod
    def generate(cls) -> Signer:
        """A fresh key (tests and first start)."""
        return cls(Ed25519PrivateKey.generate())


def load_or_create_signer(data_dir: Path) -> Signer:
    """Load the signing key from the data directory, creating it (0600) on first use."""
    path = data_dir / KEY_FILE
    if path.exists():
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as exc:
            raise ConfigError("SHIELDWALL_DATA_DIR", f"{path} is not a PEM private key") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError("SHIELDWALL_DATA_DIR", f"{path} is not an Ed25519 key")
        return Signer(key)
    data_dir.mkdir(parents=True, exist_ok=True)
    signer = Signer.generate()
    pem = signer.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    return signer
