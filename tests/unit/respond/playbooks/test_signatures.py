"""CACAO 2.0 signatures (JSS over the RFC 8785 form): sign, verify, refuse what does not hold."""

from __future__ import annotations

import base64
import hashlib
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.respond import (
    PlaybookRefusedError,
    SignaturePolicy,
    export_playbook,
    load_playbook,
    sign_playbook,
)
from shieldwall.respond.playbooks.algorithms import PrivateKey, b64url, spki
from shieldwall.respond.playbooks.signatures import signed_bytes
from tests.unit.respond.playbooks.builders import coalition_block

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ED = ed25519.Ed25519PrivateKey.generate()
P256 = ec.generate_private_key(ec.SECP256R1())
RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def signed(key: PrivateKey = ED, **extra: Any) -> dict[str, Any]:
    return sign_playbook(coalition_block(["alpha"], 1).doc, key, signee="Centre", now=NOW, **extra)


OPEN = SignaturePolicy()


def load(doc: Any, policy: SignaturePolicy = OPEN, when: datetime = NOW) -> Any:
    data = doc if isinstance(doc, bytes) else orjson.dumps(doc)
    return load_playbook(data, signing=policy, now=when)


def refusal(doc: Any, policy: SignaturePolicy = OPEN, when: datetime = NOW) -> str:
    with pytest.raises(PlaybookRefusedError) as refused:
        load(doc, policy, when)
    return " | ".join(str(p) for p in refused.value.problems)


@pytest.mark.parametrize(("key", "algorithm"), [(ED, "Ed25519"), (P256, "ES256"), (RSA, "PS256")])
def test_a_signed_playbook_imports_and_its_export_keeps_the_signature(
    key: PrivateKey, algorithm: str
) -> None:
    doc = signed(key)
    signature = doc["signatures"][0]
    assert signature["algorithm"] == algorithm and signature["type"] == "jss"
    assert signature["related_to"] == doc["id"] and signature["hash_algorithm"] == "sha-256"
    playbook = load(doc, SignaturePolicy(trusted=frozenset({spki(key.public_key())})))
    exported = export_playbook(playbook)
    assert orjson.loads(exported)["signatures"] == doc["signatures"]
    assert load(exported).document == doc


def test_a_changed_playbook_is_refused_naming_the_signature() -> None:
    doc = signed()
    doc["name"] = "something else"
    assert "signatures[0]: signature refused: does not verify" in refusal(doc)


def test_a_signature_with_another_key_is_refused() -> None:
    doc = signed()
    other = signed(ed25519.Ed25519PrivateKey.generate())["signatures"][0]["public_key"]
    doc["signatures"][0]["public_key"] = other
    assert "signatures[0]: signature refused: does not verify" in refusal(doc)


def test_a_signature_by_an_untrusted_key_is_refused_when_signers_are_named() -> None:
    trusted = SignaturePolicy(trusted=frozenset({spki(P256.public_key())}))
    assert "no signature is by a trusted signer" in refusal(signed(ED), trusted)
    load(signed(P256), trusted)


def test_an_expired_or_not_yet_valid_signature_is_refused() -> None:
    doc = signed(valid_until=NOW + timedelta(days=1))
    load(doc, when=NOW + timedelta(hours=23))
    assert "signatures[0]: signature refused: expired at" in refusal(
        doc, when=NOW + timedelta(days=1)
    )
    assert "not valid before" in refusal(doc, when=NOW - timedelta(seconds=1))


def test_a_revoked_signature_or_one_for_another_version_is_refused() -> None:
    doc = signed()
    doc["signatures"][0]["revoked"] = True
    assert "revoked" in refusal(doc)
    moved = signed()
    moved["modified"] = "2026-02-01T00:00:00.000Z"
    assert "related_version is not this version" in refusal(moved)


def test_signatures_are_independent_and_a_bad_one_is_named_by_index() -> None:
    doc = sign_playbook(signed(ED), P256, signee="Alpha", now=NOW)
    assert len(doc["signatures"]) == 2
    load(doc)
    doc["signatures"][1]["value"] = doc["signatures"][0]["value"]
    problems = refusal(doc)
    assert "signatures[1]" in problems and "signatures[0]" not in problems


def test_unsigned_playbooks_import_unless_signatures_are_required() -> None:
    doc = coalition_block(["alpha"], 1).doc
    load(doc)
    assert "imports only signed playbooks" in refusal(doc, SignaturePolicy(required=True))
    load(signed(), SignaturePolicy(required=True))


def test_a_signature_without_a_usable_key_or_algorithm_is_refused() -> None:
    doc = signed()
    del doc["signatures"][0]["public_key"]
    doc["signatures"][0]["thumbprint"] = "abc"
    assert "no key to verify with" in refusal(doc)
    wrong = signed()
    wrong["signatures"][0]["algorithm"] = "HS256"
    assert "algorithm 'HS256' is not supported" in refusal(wrong)


def test_the_shape_of_a_signature_is_the_specifications() -> None:
    doc = signed()
    for name in ("signee", "related_version", "hash_algorithm"):
        del doc["signatures"][0][name]
    places = refusal(doc)
    for name in ("signee", "related_version", "hash_algorithm"):
        assert f"signatures[0].{name}: required" in places


def shuffled(value: Any, rng: random.Random) -> Any:
    """The same JSON value with every object's keys in another order."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {key: shuffled(value[key], rng) for key in keys}
    if isinstance(value, list):
        return [shuffled(item, rng) for item in value]
    return value


SIGNED = signed()
TAMPERED = {**SIGNED, "description": "changed after signing"}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), indent=st.sampled_from([None, 0, 1, 2, 4, "\t"]))
def test_key_order_and_whitespace_do_not_change_the_verdict(seed: int, indent: Any) -> None:
    rng = random.Random(seed)
    good = json.dumps(shuffled(SIGNED, rng), indent=indent, ensure_ascii=rng.random() < 0.5)
    load(good.encode())
    bad = json.dumps(shuffled(TAMPERED, rng), indent=indent, ensure_ascii=rng.random() < 0.5)
    with pytest.raises(PlaybookRefusedError):
        load(bad.encode())


def test_the_key_may_come_from_a_certificate_chain_and_must_match_public_key() -> None:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Centre playbooks")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(ED.public_key())
        .serial_number(1)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=365))
        .sign(ED, None)
    )
    doc = coalition_block(["alpha"], 1).doc
    signature = {
        "type": "jss", "id": "signature--6b1f6a5e-1c4e-4b8e-9f5d-2a9c1d0e7f11",
        "created": "2026-03-01T12:00:00.000Z", "modified": "2026-03-01T12:00:00.000Z",
        "signee": "Centre", "related_to": doc["id"], "related_version": doc["modified"],
        "hash_algorithm": "sha-512", "algorithm": "Ed25519",
        "public_cert_chain": [base64.b64encode(cert.public_bytes(Encoding.DER)).decode()],
    }  # fmt: skip
    digest = hashlib.sha512(signed_bytes(doc, signature)).digest()
    signature["value"] = b64url(ED.sign(digest))
    load({**doc, "signatures": [signature]})
    other = signed(P256)["signatures"][0]["public_key"]
    mismatched = {**signature, "public_key": other}
    digest = hashlib.sha512(signed_bytes(doc, mismatched)).digest()
    mismatched["value"] = b64url(ED.sign(digest))
    assert "not the key of public_cert_chain[0]" in refusal({**doc, "signatures": [mismatched]})
