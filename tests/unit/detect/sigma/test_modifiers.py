"""Every Sigma v2.1 modifier and the common chains, checklist items M (one row per case)."""

from __future__ import annotations

import base64
import ipaddress
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.detect.sigma import typed
from shieldwall.detect.sigma.context import EventView
from tests.unit.detect.sigma.conftest import SigmaKit


def b64(text: str, encoding: str = "utf-8") -> str:
    return base64.b64encode(text.encode(encoding)).decode()


CASES: list[tuple[str, str, Any, dict[str, Any], bool]] = [
    # generic
    ("M-all", "C|contains|all", ["a1", "b2"], {"C": "xa1xb2"}, True),
    ("M-all-partial", "C|contains|all", ["a1", "b2"], {"C": "xa1x"}, False),
    ("M-startswith", "C|startswith", "Power", {"C": "powershell"}, True),
    ("M-startswith-no", "C|startswith", "shell", {"C": "powershell"}, False),
    ("M-endswith", "C|endswith", ".EXE", {"C": "a.exe"}, True),
    ("M-endswith-no", "C|endswith", ".exe", {"C": "a.exe.txt"}, False),
    ("M-contains", "C|contains", "ELL", {"C": "powershell -x"}, True),
    ("M-contains-no", "C|contains", "cmd", {"C": "powershell"}, False),
    ("M-exists-true", "C|exists", True, {"C": "x"}, True),
    ("M-exists-true-absent", "C|exists", True, {"D": "x"}, False),
    ("M-exists-false", "C|exists", False, {"D": "x"}, True),
    ("M-cased", "C|cased", "CaSe", {"C": "CaSe"}, True),
    ("M-cased-no", "C|cased", "CaSe", {"C": "case"}, False),
    ("M-cased-contains", "C|contains|cased", "Ab", {"C": "xAbx"}, True),
    ("M-cased-contains-no", "C|contains|cased", "Ab", {"C": "xabx"}, False),
    ("M-neq", "C|neq", "x1", {"C": "x2"}, True),
    ("M-neq-equal", "C|neq", "x1", {"C": "X1"}, False),
    ("M-neq-number", "N|neq", 5, {"N": 6}, True),
    ("M-neq-number-equal", "N|neq", 5, {"N": "5"}, False),
    # string
    ("M-windash-slash", "C|windash|contains", "-enc", {"C": "ps /enc AAA"}, True),
    ("M-windash-endash", "C|windash|contains", "-enc", {"C": "ps \u2013enc AAA"}, True),
    ("M-windash-emdash", "C|windash|contains", "-enc", {"C": "ps \u2014enc AAA"}, True),
    ("M-windash-hbar", "C|windash|contains", "-enc", {"C": "ps \u2015enc AAA"}, True),
    ("M-windash-no", "C|windash|contains", "-enc", {"C": "ps +enc"}, False),
    ("M-contains-windash", "C|contains|windash", "-enc", {"C": "ps /enc"}, True),
    ("M-re", "C|re", "a[0-9]+z", {"C": "xa123z"}, True),
    ("M-re-no", "C|re", "a[0-9]+z", {"C": "xA123Z"}, False),
    ("M-re-i", "C|re|i", "a[0-9]+z", {"C": "xA123Z"}, True),
    ("M-re-m", "C|re|m", "^line2$", {"C": "line1\nline2\nline3"}, True),
    ("M-re-m-off", "C|re", "^line2$", {"C": "line1\nline2\nline3"}, False),
    ("M-re-s", "C|re|s", "a.b", {"C": "a\nb"}, True),
    ("M-re-s-off", "C|re", "a.b", {"C": "a\nb"}, False),
    # encoding
    ("M-base64", "C|base64", "secret", {"C": b64("secret")}, True),
    ("M-base64-no", "C|base64", "secret", {"C": "secret"}, False),
    ("M-base64-contains", "C|base64|contains", "secret", {"C": "x" + b64("secret") + "y"}, True),
    ("M-base64offset-0", "C|base64offset|contains", "http://", {"C": b64("http://x.y")}, True),
    ("M-base64offset-1", "C|base64offset|contains", "http://", {"C": b64("ahttp://x.y")}, True),
    ("M-base64offset-2", "C|base64offset|contains", "http://", {"C": b64("abhttp://x")}, True),
    ("M-base64offset-no", "C|base64offset|contains", "http://", {"C": b64("ftp://x.y")}, False),
    ("M-utf16le", "C|utf16le|base64offset|contains", "cmd", {"C": b64("x cmd", "utf-16le")}, True),
    ("M-wide", "C|wide|base64offset|contains", "cmd", {"C": b64("run cmd", "utf-16le")}, True),
    ("M-wide-no", "C|wide|base64offset|contains", "cmd", {"C": b64("run cmd")}, False),
    ("M-utf16be", "C|utf16be|base64", "ab", {"C": b64("ab", "utf-16be")}, True),
    ("M-utf16", "C|utf16|base64", "ab", {"C": b64("\ufeffab", "utf-16le")}, True),
    # numeric
    ("M-lt", "N|lt", 10, {"N": 9}, True),
    ("M-lt-eq", "N|lt", 10, {"N": 10}, False),
    ("M-lte", "N|lte", 10, {"N": "10"}, True),
    ("M-gt", "N|gt", 10, {"N": "10.5"}, True),
    ("M-gt-no", "N|gt", 10, {"N": 3}, False),
    ("M-gte", "N|gte", 10, {"N": 10}, True),
    ("M-gt-not-number", "N|gt", 10, {"N": "many"}, False),
    # time (no time-zone conversion)
    ("M-minute", "T|minute", 42, {"T": "2024-03-05T07:42:10Z"}, True),
    ("M-hour", "T|hour", 7, {"T": "2024-03-05T07:42:10+02:00"}, True),
    ("M-hour-no", "T|hour", 5, {"T": "2024-03-05T07:42:10+02:00"}, False),
    ("M-day", "T|day", 5, {"T": "2024-03-05T07:42:10"}, True),
    ("M-week", "T|week", 10, {"T": "2024-03-05T07:42:10"}, True),
    ("M-month", "T|month", 3, {"T": "2024-03-05"}, True),
    ("M-year", "T|year", 2024, {"T": "2024-03-05T07:42:10.123456Z"}, True),
    ("M-year-no", "T|year", 2023, {"T": "2024-03-05"}, False),
    # ip
    ("M-cidr-v4", "IP|cidr", "10.0.0.0/8", {"IP": "10.1.2.3"}, True),
    ("M-cidr-v4-no", "IP|cidr", "10.0.0.0/8", {"IP": "11.1.2.3"}, False),
    ("M-cidr-v6", "IP|cidr", "fe80::/10", {"IP": "fe80::1"}, True),
    ("M-cidr-v6-no", "IP|cidr", "fe80::/10", {"IP": "2001:db8::1"}, False),
    ("M-cidr-list", "IP|cidr", ["10.0.0.0/8", "192.168.0.0/16"], {"IP": "192.168.1.1"}, True),
    ("M-cidr-not-ip", "IP|cidr", "10.0.0.0/8", {"IP": "host"}, False),
    ("M-cidr-padded", "IP|cidr", "10.0.0.0/8", {"IP": " 10.1.2.3 "}, True),
    ("M-cidr-v6-value-v4-net", "IP|cidr", "10.0.0.0/8", {"IP": "::ffff:10.1.2.3"}, False),
    ("M-cidr-multi-valued", "IP|cidr", "10.0.0.0/8", {"IP": ["host", "10.9.9.9"]}, True),
]


@pytest.mark.parametrize(
    ("check", "key", "value", "fields", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_modifier(
    kit: SigmaKit, check: str, key: str, value: Any, fields: dict[str, Any], expected: bool
) -> None:
    detection = {"s": {key: value}, "condition": "s"}
    assert kit.matches(detection, fields) is expected, check


FIELDREF: list[tuple[str, str, dict[str, Any], bool]] = [
    ("M-fieldref", "A|fieldref", {"A": "Same", "B": "same"}, True),
    ("M-fieldref-no", "A|fieldref", {"A": "one", "B": "two"}, False),
    ("M-fieldref-absent", "A|fieldref", {"A": "one"}, False),
    ("M-fieldref-startswith", "A|fieldref|startswith", {"A": "abcdef", "B": "abc"}, True),
    ("M-fieldref-endswith", "A|fieldref|endswith", {"A": "abcdef", "B": "def"}, True),
    ("M-fieldref-endswith-no", "A|fieldref|endswith", {"A": "abcdef", "B": "abc"}, False),
    ("M-fieldref-contains", "A|fieldref|contains", {"A": "abcdef", "B": "cd"}, True),
    ("M-fieldref-neq", "A|fieldref|neq", {"A": "one", "B": "two"}, True),
    ("M-fieldref-neq-equal", "A|fieldref|neq", {"A": "one", "B": "one"}, False),
]


@pytest.mark.parametrize(
    ("check", "key", "fields", "expected"), FIELDREF, ids=[c[0] for c in FIELDREF]
)
def test_fieldref(
    kit: SigmaKit, check: str, key: str, fields: dict[str, Any], expected: bool
) -> None:
    assert kit.matches({"s": {key: "B"}, "condition": "s"}, fields) is expected, check


def test_M_all_on_single_value_is_accepted_as_and_of_one(kit: SigmaKit) -> None:
    """M-all: pySigma accepts ``|all`` on one value (AND of one); it must still match."""
    assert kit.matches({"s": {"C|contains|all": "x1"}, "condition": "s"}, {"C": "ax1"})


def test_M_unknown_modifier_is_reported(kit: SigmaKit) -> None:
    ruleset = kit.load(
        {
            "title": "bad",
            "logsource": {"product": "test"},
            "detection": {"s": {"C|nosuchmod": "x"}, "condition": "s"},
        }
    )
    assert ruleset.rules == []
    assert "nosuchmod" in ruleset.problems[0].reason


def test_M_utf16le_handles_non_ascii(kit: SigmaKit) -> None:
    """M-utf16le: pySigma refuses non-ASCII for ``wide``; our modifier encodes it."""
    value = b64("café", "utf-16le")
    detection = {"s": {"C|utf16le|base64": "café"}, "condition": "s"}
    assert kit.matches(detection, {"C": value})
    assert not kit.matches(detection, {"C": b64("cafe", "utf-16le")})


def test_M_cidr_answers_alike_from_the_address_cache_and_past_its_bound(kit: SigmaKit) -> None:
    """Addresses are parsed once per value (:func:`typed.parsed_address`); a value seen
    before, and one seen after the cache was emptied, answer as the first time."""
    detection = {"s": {"IP|cidr": ["10.0.0.0/8", "192.168.0.0/16"]}, "condition": "s"}
    for _ in range(2):
        assert kit.matches(detection, {"IP": "192.168.7.7"})
        assert not kit.matches(detection, {"IP": "8.8.8.8"})
        assert not kit.matches(detection, {"IP": "not an address"})
    for number in range(typed.MAX_PARSED_ADDRESSES + 10):
        typed.parsed_address(f"172.16.{number // 256}.{number % 256}")
    assert len(typed._parsed) <= typed.MAX_PARSED_ADDRESSES
    assert kit.matches(detection, {"IP": "10.3.3.3"})
    assert typed.parsed_address("nope") is None


@settings(max_examples=300, deadline=None)
@given(
    address=st.ip_addresses(),
    network=st.ip_addresses().flatmap(
        lambda base: st.integers(0, base.max_prefixlen).map(
            lambda prefix: ipaddress.ip_network(f"{base}/{prefix}", strict=False)
        )
    ),
)
def test_M_cidr_on_integers_agrees_with_ipaddress(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
    network: ipaddress.IPv4Network | ipaddress.IPv6Network,
) -> None:
    """The integer test (:func:`typed.cidr_test`) answers as ``address in network`` does,
    across versions (an IPv4 address is never in an IPv6 network, nor the reverse)."""
    test = typed.cidr_test("IP", network)
    assert test(EventView({"IP": str(address)})) is (address in network)
