"""The signature algorithms a CACAO 2.0 signature may name, as ``cryptography`` does them.

CACAO takes its algorithm names from JWA (RFC 7518 section 3.1) and RFC 8037: ``Ed25519``,
``ES256``/``ES384``/``ES512`` (ECDSA, the signature written as the raw ``r || s`` pair the
JWA asks for, not DER), ``PS256``/``PS384``/``PS512`` (RSA-PSS, MGF1 with the same hash,
salt as long as the hash) and ``RS256``/``RS384``/``RS512`` (RSA PKCS #1 v1.5). The
symmetric ``HS*`` algorithms are refused: the specification advises against them for
playbooks that cross organisations, and a shared secret proves nothing about who signed.
Keys are exchanged as the specification writes them: a DER SubjectPublicKeyInfo in base64
(a PEM body without its header and footer), or the first certificate of a chain.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.x509 import load_der_x509_certificate, load_pem_x509_certificate

from shieldwall.model.errors import InputError

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

HASHES = {"sha-256": hashlib.sha256, "sha-384": hashlib.sha384, "sha-512": hashlib.sha512}
_SHA: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}
_CURVES = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1, "ES512": ec.SECP521R1}
ALGORITHMS = frozenset({"Ed25519", *_CURVES, *(f"{p}{n}" for p in ("PS", "RS") for n in _SHA)})
MIN_RSA_BITS = 2048


class SignatureFailedError(InputError):
    """A signature that cannot be checked or does not hold, with the reason in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, source="playbook")


def b64url(data: bytes) -> str:
    """Base64url without padding, as CACAO writes ``value``."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """The bytes of a base64url value (padding optional); SignatureFailedError otherwise."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SignatureFailedError("value is not base64url") from exc


def key_text(key: PublicKey) -> str:
    """A public key as CACAO's ``public_key`` writes it: the PEM body, no header or footer."""
    return base64.b64encode(spki(key)).decode("ascii")


def spki(key: PublicKey) -> bytes:
    """The DER SubjectPublicKeyInfo of a public key (what trusted signers are compared by)."""
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_from_text(text: str) -> PublicKey:
    """The key of a ``public_key`` property (a PEM with its armour is taken too)."""
    body = "".join(line for line in text.splitlines() if not line.startswith("-----"))
    try:
        key = serialization.load_der_public_key(base64.b64decode("".join(body.split())))
    except (binascii.Error, ValueError) as exc:
        raise SignatureFailedError("public_key is not a base64 DER public key") from exc
    return _usable(key)


def key_from_chain(chain: list[str]) -> PublicKey:
    """The key of the first certificate of a ``public_cert_chain``."""
    try:
        cert = load_der_x509_certificate(base64.b64decode(chain[0]))
    except (binascii.Error, ValueError) as exc:
        raise SignatureFailedError("public_cert_chain[0] is not a base64 DER certificate") from exc
    return _usable(cert.public_key())


def _usable(key: object) -> PublicKey:
    if isinstance(key, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        return key
    raise SignatureFailedError(f"unsupported key type {type(key).__name__}")


def algorithm_for(key: PrivateKey) -> str:
    """The algorithm a private key signs with: Ed25519, ES256/384/512 by curve, or PS256."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "Ed25519"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        for name, curve in _CURVES.items():
            if isinstance(key.curve, curve):
                return name
        raise InputError(f"unsupported curve {key.curve.name}", source="playbook")
    return "PS256"


def sign(algorithm: str, key: PrivateKey, message: bytes) -> bytes:
    """The raw signature of ``message`` (JWA encodings)."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(message)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        digest = _SHA[algorithm[2:]]()
        r, s = decode_dss_signature(key.sign(message, ec.ECDSA(digest)))
        size = (key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return key.sign(message, _rsa_padding(algorithm), _SHA[algorithm[2:]]())


def verify(algorithm: str, key: PublicKey, message: bytes, signature: bytes) -> None:
    """Nothing when the signature holds; SignatureFailedError saying why otherwise."""
    _matches(algorithm, key)
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, message)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            size = (key.curve.key_size + 7) // 8
            if len(signature) != 2 * size:
                raise SignatureFailedError(f"an {algorithm} value is {2 * size} bytes (r || s)")
            r, s = (int.from_bytes(signature[i : i + size], "big") for i in (0, size))
            key.verify(encode_dss_signature(r, s), message, ec.ECDSA(_SHA[algorithm[2:]]()))
        else:
            key.verify(signature, message, _rsa_padding(algorithm), _SHA[algorithm[2:]]())
    except InvalidSignature as exc:
        raise SignatureFailedError(
            "does not verify: the playbook changed after signing, or another key signed it"
        ) from exc


def _matches(algorithm: str, key: PublicKey) -> None:
    if algorithm not in ALGORITHMS:
        raise SignatureFailedError(
            f"algorithm {algorithm!r} is not supported (one of {', '.join(sorted(ALGORITHMS))})"
        )
    if algorithm == "Ed25519":
        fits = isinstance(key, ed25519.Ed25519PublicKey)
    elif algorithm in _CURVES:
        fits = isinstance(key, ec.EllipticCurvePublicKey) and isinstance(
            key.curve, _CURVES[algorithm]
        )
    else:
        fits = isinstance(key, rsa.RSAPublicKey) and key.key_size >= MIN_RSA_BITS
    if not fits:
        raise SignatureFailedError(f"the key is not a key for {algorithm}")


def _rsa_padding(algorithm: str) -> padding.AsymmetricPadding:
    if algorithm.startswith("RS"):
        return padding.PKCS1v15()
    digest = _SHA[algorithm[2:]]()
    return padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)


def trusted_key(pem: bytes) -> bytes:
    """The DER SubjectPublicKeyInfo of a PEM public key or certificate (a trusted signer)."""
    try:
        if b"CERTIFICATE-----" in pem:
            return spki(_usable(load_pem_x509_certificate(pem).public_key()))
        return spki(_usable(serialization.load_pem_public_key(pem)))
    except ValueError as exc:
        raise InputError("not a PEM public key or certificate", source="signer key") from exc


def private_key(pem: bytes) -> PrivateKey:
    """A PEM private key (unencrypted) that can sign: Ed25519, EC P-256/384/521 or RSA."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise InputError(f"not an unencrypted PEM private key: {exc}", source="key") from exc
    if isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
        return key
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size >= MIN_RSA_BITS:
        return key
    raise InputError("the key must be Ed25519, EC or RSA of 2048 bits or more", source="key")
