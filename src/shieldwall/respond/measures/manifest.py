"""Signed manifests: which files make one version of a member's list, and their SHA-256.

The manifest is canonical JSON (sorted keys, no blanks) of everything but the signature;
the signature is Ed25519 by the centre's key (the one that signs the audit log,
:mod:`shieldwall.store.audit.signing`) over a domain-separation label and those bytes, so a
manifest signature can never stand in for an audit statement or the other way round.
A member checks it with the centre's published public key (``GET /api/v1/measures/key``)
and ``shieldwall measures verify MANIFEST --key KEY.pem``; every file named must be next
to the manifest, with the size and digest it lists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shieldwall.model.errors import InputError, IntegrityError
from shieldwall.store.audit.signing import Signer, key_id_of

LABEL = b"shieldwall/measures/manifest/v1\x00"
MANIFEST_FILE = "manifest.json"
MAX_MANIFEST = 1 << 20


def file_entry(content: bytes) -> dict[str, Any]:
    """What a manifest says of one file."""
    return {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}


def sign_manifest(body: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    """The manifest with ``key_id`` and ``signature`` (hex) added."""
    unsigned = {**body, "key_id": signer.key_id}
    signature = signer.private_key.sign(LABEL + _canonical(unsigned)).hex()
    return {**unsigned, "signature": signature}


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    """How a manifest is served and written: indented, keys sorted."""
    return orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def public_key_pem(signer: Signer) -> bytes:
    """The centre's public key, PEM (SubjectPublicKeyInfo): what members verify with."""
    return signer.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def verify_manifest(path: Path, key_pem: bytes) -> dict[str, Any]:
    """Check the signature, then each file beside the manifest; the manifest when all hold.

    IntegrityError names the first thing that does not hold; InputError when the manifest
    or the key cannot be read at all.
    """
    manifest = _read(path)
    key = _public_key(key_pem)
    signature = str(manifest.pop("signature", ""))
    if manifest.get("key_id") != key_id_of(key):
        raise IntegrityError("the manifest names another key than the one given")
    try:
        key.verify(bytes.fromhex(signature), LABEL + _canonical(manifest))
    except (InvalidSignature, ValueError):
        raise IntegrityError("the manifest's signature does not verify") from None
    for name, entry in dict(manifest.get("files", {})).items():
        _check_file(path.parent, str(name), entry)
    return manifest


def _check_file(folder: Path, name: str, entry: Mapping[str, Any]) -> None:
    if "/" in name or "\\" in name or name.startswith("."):
        raise IntegrityError(f"the manifest names a file outside its folder: {name!r}")
    target = folder / name
    if not target.is_file():
        raise IntegrityError(f"{name} is listed in the manifest but missing")
    if file_entry(target.read_bytes()) != dict(entry):
        raise IntegrityError(f"{name} does not match its SHA-256 in the manifest")


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()[: MAX_MANIFEST + 1]
        data = orjson.loads(raw) if len(raw) <= MAX_MANIFEST else None
    except (OSError, orjson.JSONDecodeError) as exc:
        raise InputError(f"cannot read the manifest: {exc}", source=str(path)) from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise InputError("not a measures manifest", source=str(path))
    return data


def _public_key(pem: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise InputError(f"not a PEM public key: {exc}", place="key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError("the key is not an Ed25519 public key", place="key")
    return key


def _canonical(body: Mapping[str, Any]) -> bytes:
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
