"""What people type into cases: TLP labels, observables, file names, shifts, evidence.

Property tests for each parser: what is accepted is kept in its normal form and accepted
again unchanged (idempotent); what is refused is an InputError naming the field, never
another exception.
"""

from __future__ import annotations

import hashlib
import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.model.errors import InputError, IntegrityError, LimitExceededError
from shieldwall.model.sharing import TlpLevel
from shieldwall.respond.cases.evidence import EvidenceLimits, check_evidence, verified
from shieldwall.respond.cases.values import (
    OBSERVABLE_TYPES,
    file_name,
    observable,
    shift,
    tlp_label,
    tlp_level,
)


@given(st.sampled_from(list(TlpLevel)), st.sampled_from(["", "TLP:", "tlp:"]), st.booleans())
def test_tlp_labels_round_trip(level: TlpLevel, prefix: str, upper: bool) -> None:
    label = prefix + tlp_label(level)
    assert tlp_level(label.upper() if upper else label) is level


@given(st.text(max_size=20))
def test_unknown_tlp_labels_are_input_errors(label: str) -> None:
    try:
        level = tlp_level(label)
    except InputError as exc:
        assert exc.place == "tlp"
    else:
        assert tlp_label(level) in label.lower() or "white" in label.lower()


@given(st.sampled_from(OBSERVABLE_TYPES), st.text(max_size=80))
def test_observables_are_kept_normalised_or_refused_naming_the_field(kind: str, value: str) -> None:
    try:
        kept = observable(kind, value)
    except InputError as exc:
        assert exc.place in ("value", "type")
        return
    assert observable(kind, kept) == kept


@given(st.ip_addresses())
def test_every_ip_address_is_an_observable(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    assert observable("ip", address.exploded) == str(address)


@given(st.binary(min_size=1, max_size=64))
def test_hashes_of_the_right_length_are_observables(data: bytes) -> None:
    digest = hashlib.sha256(data).hexdigest()
    assert observable("sha256", digest.upper()) == digest
    with pytest.raises(InputError):
        observable("md5", digest)


@given(st.text(max_size=300))
def test_file_names_never_hold_a_path(name: str) -> None:
    try:
        kept = file_name(name)
    except InputError as exc:
        assert exc.place == "name"
        return
    assert "/" not in kept and "\\" not in kept and kept not in (".", "..")
    assert file_name(kept) == kept


@given(st.text(max_size=70))
def test_shifts_are_slugs(name: str) -> None:
    try:
        assert shift(name) == name
    except InputError as exc:
        assert exc.place == "shift"


@given(st.binary(max_size=600), st.integers(min_value=1, max_value=500))
def test_evidence_limit_and_sha256(content: bytes, limit: int) -> None:
    try:
        checked = check_evidence(
            "a.bin", content, "application/octet-stream", EvidenceLimits(limit)
        )
    except LimitExceededError as exc:
        assert len(content) > limit and exc.limit == "case_evidence_max_bytes"
        return
    except InputError:
        assert not content
        return
    assert len(content) <= limit
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert verified(checked.sha256, content) == content
    with pytest.raises(IntegrityError):
        verified(checked.sha256, content + b"!")
