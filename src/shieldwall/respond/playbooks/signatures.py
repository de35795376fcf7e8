"""Signing CACAO 2.0 playbooks and checking their signatures, as the specification asks.

A CACAO signature is a JSON Signature Scheme (ITU-T X.590) object in the playbook's
``signatures`` list. Its ``value`` is ``base64url(sign(algorithm, key,
hash(JCS(playbook))))`` where the playbook, when it is hashed, carries that one signature
object *without* its ``value`` as its only signature: each signature is made and checked
on its own, so a second signer does not break the first, and a reordered, re-indented
copy of the playbook (:mod:`.jcs`) still verifies. The signature also names what it
signed: ``related_to`` is the playbook's id and ``related_version`` its ``modified``, so
a signature cannot be moved to another playbook or to another version of this one.

What a signature proves depends on the key: an embedded ``public_key`` proves only that
nothing changed since someone signed. ``playbooks_trusted_signers`` (docs/playbooks.md)
says whose keys are believed; with it, or with ``playbooks_require_signature``, an unsigned
playbook is refused. A present signature that does not hold always refuses the playbook,
named by its index. ``cert_url`` (fetching) and ``thumbprint`` alone (nothing to verify
with) are not enough here, and a countersignature (the nested ``signature``) is kept but
not checked.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shieldwall.respond.playbooks.algorithms import (
    HASHES,
    PrivateKey,
    PublicKey,
    SignatureFailedError,
    algorithm_for,
    b64url,
    key_from_chain,
    key_from_text,
    key_text,
    private_key,
    sign,
    spki,
    trusted_key,
    unb64url,
    verify,
)
from shieldwall.respond.playbooks.jcs import canonical
from shieldwall.respond.playbooks.problems import Problem

__all__ = [
    "ANY_SIGNER",
    "SignaturePolicy",
    "check_signatures",
    "private_key",
    "sign_playbook",
    "signed_bytes",
    "trusted_key",
]

NOT_SIGNED = ("value", "signature")
"""What a signature object holds that its own signed bytes cannot: the value, and a
countersignature added after it."""


@dataclass(frozen=True, slots=True)
class SignaturePolicy:
    """Which playbooks import: signed ones only, and by whom (DER public keys)."""

    required: bool = False
    trusted: frozenset[bytes] = frozenset()


ANY_SIGNER = SignaturePolicy()
"""The default: unsigned playbooks import, a present signature must hold."""


def stamp(moment: datetime) -> str:
    """A CACAO timestamp: UTC, milliseconds, ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def signed_bytes(document: Mapping[str, Any], signature: Mapping[str, Any]) -> bytes:
    """The JCS bytes one signature is made over: the playbook with only that signature,
    without its value."""
    bare = {k: v for k, v in signature.items() if k not in NOT_SIGNED}
    return canonical({**document, "signatures": [bare]})


def sign_playbook(
    document: Mapping[str, Any],
    key: PrivateKey,
    *,
    signee: str,
    now: datetime,
    valid_until: datetime | None = None,
    created_by: str | None = None,
    hash_algorithm: str = "sha-256",
) -> dict[str, Any]:
    """The playbook with one more signature (earlier ones are kept as they are)."""
    algorithm = algorithm_for(key)
    signature: dict[str, Any] = {
        "type": "jss",
        "id": f"signature--{uuid.uuid4()}",
        "created": stamp(now),
        "modified": stamp(now),
        "signee": signee,
        "valid_from": stamp(now),
        "related_to": document.get("id"),
        "related_version": document.get("modified"),
        "hash_algorithm": hash_algorithm,
        "algorithm": algorithm,
        "public_key": key_text(key.public_key()),
    }
    if valid_until is not None:
        signature["valid_until"] = stamp(valid_until)
    if created_by is not None:
        signature["created_by"] = created_by
    digest = HASHES[hash_algorithm](signed_bytes(document, signature)).digest()
    signature["value"] = b64url(sign(algorithm, key, digest))
    earlier = document.get("signatures")
    kept = list(earlier) if isinstance(earlier, list) else []
    return {**document, "signatures": [*kept, signature]}


def check_signatures(
    document: Mapping[str, Any], policy: SignaturePolicy, now: datetime
) -> list[Problem]:
    """Every problem with the playbook's signatures under ``policy`` at ``now``."""
    value = document.get("signatures")
    signatures = value if isinstance(value, list) else []
    problems: list[Problem] = []
    trusted = False
    for index, signature in enumerate(signatures):
        if not isinstance(signature, Mapping):
            continue  # the shape check reports it
        try:
            key = _check_one(document, signature, now)
        except SignatureFailedError as exc:
            problems.append(Problem(f"signatures[{index}]", f"signature refused: {exc.reason}"))
            continue
        trusted = trusted or spki(key) in policy.trusted
    problems += _policy(signatures, policy, trusted=trusted, failed=bool(problems))
    return problems


def _policy(
    signatures: list[Any], policy: SignaturePolicy, *, trusted: bool, failed: bool
) -> Iterator[Problem]:
    if not signatures and (policy.required or policy.trusted):
        yield Problem("signatures", "this centre imports only signed playbooks; none is signed")
    elif signatures and policy.trusted and not trusted and not failed:
        yield Problem(
            "signatures", "no signature is by a trusted signer (playbooks_trusted_signers)"
        )


def _check_one(
    document: Mapping[str, Any], signature: Mapping[str, Any], now: datetime
) -> PublicKey:
    """The key that made a signature that holds now; SignatureFailedError otherwise."""
    _names_this_version(document, signature)
    _in_time(signature, now)
    key = _key(signature)
    hashing = HASHES.get(str(signature.get("hash_algorithm")))
    if hashing is None:
        raise SignatureFailedError(
            f"hash_algorithm {signature.get('hash_algorithm')!r} is not one of "
            + ", ".join(sorted(HASHES))
        )
    digest = hashing(signed_bytes(document, signature)).digest()
    verify(str(signature.get("algorithm")), key, digest, unb64url(str(signature.get("value"))))
    return key


def _names_this_version(document: Mapping[str, Any], signature: Mapping[str, Any]) -> None:
    if signature.get("related_to") != document.get("id"):
        raise SignatureFailedError("related_to names another playbook")
    if signature.get("related_version") != document.get("modified"):
        raise SignatureFailedError("related_version is not this version's modified time")


def _in_time(signature: Mapping[str, Any], now: datetime) -> None:
    if signature.get("revoked") is True:
        raise SignatureFailedError("revoked by its creator")
    moment = stamp(now)
    valid_from, valid_until = signature.get("valid_from"), signature.get("valid_until")
    if isinstance(valid_from, str) and moment < valid_from:
        raise SignatureFailedError(f"not valid before {valid_from}")
    if isinstance(valid_until, str) and moment >= valid_until:
        raise SignatureFailedError(f"expired at {valid_until}")


def _key(signature: Mapping[str, Any]) -> PublicKey:
    text, chain = signature.get("public_key"), signature.get("public_cert_chain")
    from_chain = key_from_chain(chain) if isinstance(chain, list) and chain else None
    if isinstance(text, str):
        key = key_from_text(text)
        if from_chain is not None and spki(from_chain) != spki(key):
            raise SignatureFailedError("public_key is not the key of public_cert_chain[0]")
        return key
    if from_chain is not None:
        return from_chain
    raise SignatureFailedError(
        "no key to verify with: give public_key or public_cert_chain"
        " (cert_url is not fetched, a thumbprint alone cannot verify)"
    )
