"""The stream engine against ``stix2-matcher`` on the same observed-data.

Random patterns from a grammar (comparison AND/OR/NOT, =, !=, <, >, <=, >=, IN, LIKE,
MATCHES, ISSUBSET, ``_ref`` paths, list ``[*]``/``[0]``, hashes, integers and reals;
observation AND, OR, FOLLOWEDBY, WITHIN, REPEATS, START … STOP) over random sequences
of events, mapped to observations by the engine's own mapping: the engine fires at some
point while the sequence streams in exactly when ``stix2-matcher`` matches the whole
sequence.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.detect.stix_pattern import observation
from tests.unit.detect.stix_pattern.reference import (
    reference_verdict,
    stream_verdict,
    unindexed_verdict,
)

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
ADDRESSES = ("10.0.0.1", "10.0.0.2", "192.0.2.7")
DOMAINS = ("a.example", "b.test")
PORTS = (22, 80, 443)
SHA256 = "ab" * 32


def quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _not(draw: st.DrawFn) -> str:
    return "NOT " if draw(st.booleans()) else ""


@st.composite
def address_test(draw: st.DrawFn, path: str) -> str:
    value = draw(st.sampled_from(ADDRESSES))
    return draw(
        st.sampled_from(
            [
                f"{path} {_not(draw)}= {quoted(value)}",
                f"{path} != {quoted(value)}",
                f"{path} {_not(draw)}IN ({quoted(value)}, {quoted(ADDRESSES[0])})",
                f"{path} {_not(draw)}ISSUBSET '10.0.0.0/30'",
                f"{path} {_not(draw)}LIKE '10.%'",
                f"{path} {_not(draw)}MATCHES '^192\\\\.0'",
                f"{path} {_not(draw)}> '10.0.0.1'",
            ]
        )
    )


@st.composite
def comparison(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["ip", "domain", "port", "ref", "process"]))
    if kind == "process":
        return draw(
            st.sampled_from(
                [
                    f"process:command_line {_not(draw)}LIKE '%-enc%'",
                    f"process:image_ref.name {_not(draw)}= 'ps.exe'",
                    f"file:hashes.'SHA-256' {_not(draw)}= '{SHA256}'",
                    f"network-traffic:protocols[*] {_not(draw)}= 'tcp'",
                    f"network-traffic:protocols[0] {_not(draw)}IN ('udp', 'icmp')",
                    f"network-traffic:dst_port {_not(draw)}IN (22, 443)",
                    f"network-traffic:dst_port {_not(draw)}> 79.5",
                    "process:pid <= 100",
                ]
            )
        )
    if kind == "ip":
        return draw(address_test("ipv4-addr:value"))
    if kind == "ref":
        side = draw(st.sampled_from(["dst_ref", "src_ref"]))
        return draw(address_test(f"network-traffic:{side}.value"))
    if kind == "domain":
        value = quoted(draw(st.sampled_from(DOMAINS)))
        return draw(
            st.sampled_from(
                [
                    f"domain-name:value {_not(draw)}= {value}",
                    f"domain-name:value {_not(draw)}LIKE '%.example'",
                    f"domain-name:value {_not(draw)}MATCHES 'b\\\\.'",
                ]
            )
        )
    port = draw(st.sampled_from(PORTS))
    operator = draw(st.sampled_from(["=", "!=", "<", ">", "<=", ">="]))
    return f"network-traffic:dst_port {_not(draw) if operator == '=' else ''}{operator} {port}"


@st.composite
def bracketed(draw: st.DrawFn) -> str:
    first = draw(comparison())
    if draw(st.integers(0, 2)) == 0:
        return f"[{first}]"
    second = draw(comparison())
    joiner = draw(st.sampled_from(["AND", "OR"]))
    return f"[{first} {joiner} {second}]"


def _stamp(seconds: int) -> str:
    return "t'" + (T0 + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ") + "'"


def observations(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return bracketed()
    inner = observations(depth - 1)

    @st.composite
    def build(draw: st.DrawFn) -> str:
        shape = draw(
            st.sampled_from(["leaf", "and", "or", "fby", "within", "repeats", "startstop"])
        )
        if shape == "leaf":
            return draw(bracketed())
        left = draw(inner)
        if shape in {"and", "or", "fby"}:
            operator = {"and": "AND", "or": "OR", "fby": "FOLLOWEDBY"}[shape]
            return f"({left} {operator} {draw(inner)})"
        if shape == "within":
            return f"({left}) WITHIN {draw(st.sampled_from(['1', '3', '2.5', '10']))} SECONDS"
        if shape == "repeats":
            return f"({left}) REPEATS {draw(st.integers(1, 3))} TIMES"
        start = draw(st.integers(0, 8))
        stop = start + draw(st.integers(0, 8))
        return f"({left}) START {_stamp(start)} STOP {_stamp(stop)}"

    return build()


@st.composite
def event(draw: st.DrawFn) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if draw(st.booleans()):
        fields["DestinationIp"] = draw(st.sampled_from(ADDRESSES))
        fields["DestinationPort"] = draw(st.sampled_from(PORTS))
        if draw(st.booleans()):
            fields["SourceIp"] = draw(st.sampled_from(ADDRESSES))
        fields["Protocol"] = draw(st.sampled_from(["tcp", "udp"]))
    if draw(st.booleans()):
        fields["Image"] = draw(st.sampled_from(["C:\\w\\ps.exe", "C:\\w\\cmd.exe"]))
        fields["CommandLine"] = draw(st.sampled_from(["ps.exe -enc AA", "cmd.exe /c"]))
        fields["ProcessId"] = draw(st.sampled_from([4, 400]))
        if draw(st.booleans()):
            fields["Hashes"] = f"MD5={'0' * 32},SHA256={SHA256}"
    if draw(st.booleans()) or not fields:
        fields["QueryName"] = draw(st.sampled_from(DOMAINS))
    return fields


@st.composite
def streams(draw: st.DrawFn) -> list[tuple[dict[str, Any], datetime]]:
    events = draw(st.lists(event(), max_size=6))
    gaps = draw(st.lists(st.integers(0, 3), min_size=len(events), max_size=len(events)))
    moments, clock = [], 0
    for gap in gaps:
        clock += gap
        moments.append(T0 + timedelta(seconds=clock))
    return [(observation(fields), when) for fields, when in zip(events, moments, strict=True)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pattern=observations(3), stream=streams())
def test_the_stream_agrees_with_stix2_matcher(
    pattern: str, stream: list[tuple[dict[str, Any], datetime]]
) -> None:
    verdict = reference_verdict(pattern, stream)
    assert stream_verdict(pattern, stream) == verdict, pattern
    assert unindexed_verdict(pattern, stream) == verdict, pattern  # the index only narrows


def test_a_fixed_sequence_and_a_few_patterns_agree() -> None:
    fields = [{"DestinationIp": "10.0.0.1", "DestinationPort": 443}, {"QueryName": "a.example"}]
    stream = [(observation(f), T0 + timedelta(seconds=2 * i)) for i, f in enumerate(fields * 2)]
    expected = {
        "[ipv4-addr:value = '10.0.0.1'] FOLLOWEDBY [domain-name:value = 'a.example']": True,
        "([ipv4-addr:value = '10.0.0.1'] REPEATS 2 TIMES) WITHIN 2 SECONDS": False,
        "([ipv4-addr:value = '10.0.0.1'] REPEATS 2 TIMES) WITHIN 4 SECONDS": True,
        "[ipv4-addr:value = '10.0.0.1'] REPEATS 3 TIMES": False,
        "[network-traffic:dst_ref.value = '10.0.0.1' AND network-traffic:dst_port = 443]": True,
        f"[domain-name:value = 'a.example'] START {_stamp(0)} STOP {_stamp(2)}": False,
        f"[domain-name:value = 'a.example'] START {_stamp(2)} STOP {_stamp(3)}": True,
    }
    for pattern, verdict in expected.items():
        assert reference_verdict(pattern, stream) is verdict, pattern
        assert stream_verdict(pattern, stream) is verdict, pattern
