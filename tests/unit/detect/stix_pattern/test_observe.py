"""Events of every format as STIX observations, matched by the patterns one would write."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.detect.stix_pattern import PatternStates, compile_pattern, observation
from shieldwall.detect.watchlist_fields import FIELD_KINDS

SHA256 = "a" * 64
CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "sysmon",
        {"Image": "C:\\Temp\\evil.exe", "CommandLine": "evil.exe -k", "User": "CORP\\bob",
         "Hashes": f"MD5={'b' * 32},SHA256={SHA256}", "ProcessId": "4242"},
        f"[process:image_ref.hashes.'SHA-256' = '{SHA256}' AND process:command_line LIKE '%-k']"
        " OR [user-account:user_id = 'CORP\\\\bob']",
    ),
    (
        "ecs",
        {"source.ip": "10.0.0.5", "destination.ip": "203.0.113.9", "destination.port": 8443,
         "url.full": "https://e.example/x", "network.transport": "TCP"},
        "[network-traffic:src_ref.value ISSUBSET '10.0.0.0/8' AND network-traffic:dst_port > 8000"
        " AND network-traffic:protocols[*] = 'tcp'] OR [url:value = 'https://e.example/x']",
    ),
    (
        "zeek",
        {"id.orig_h": "10.1.1.1", "id.resp_h": "2001:db8::1", "id.resp_p": 53,
         "query": "evil.example"},
        "[network-traffic:dst_ref.value = '2001:db8::1' AND network-traffic:dst_port = 53]"
        " OR [domain-name:value MATCHES '^evil\\\\.']",
    ),
    (
        "suricata",
        {"src_ip": "192.0.2.1", "dest_ip": "198.51.100.2", "dest_port": "25",
         "mailfrom": "x@e.example", "fileinfo.filename": "inv.pdf", "proto": "TCP"},
        "[email-addr:value = 'x@e.example'] OR [file:name = 'inv.pdf']"
        " OR [network-traffic:dst_port = 25]",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "fields", "pattern"), CASES, ids=[c[0] for c in CASES])
def test_each_format_gives_the_observables_its_pattern_names(
    name: str, fields: dict[str, Any], pattern: str
) -> None:
    """Each bracket of the case's pattern (joined by OR) holds on the one event alone."""
    when = datetime(2024, 5, 1, tzinfo=UTC)
    for bracket in pattern.split(" OR "):
        compiled = compile_pattern("indicator--1", bracket)
        states = PatternStates()
        assert states.observe(name, [compiled], observation(fields), when) == [compiled], bracket
        assert states.observe(name, [compiled], observation({"x": "y"}), when) == []


def test_references_point_inside_the_observation() -> None:
    objects = observation({"SourceIp": "10.0.0.1", "DestinationIp": "10.0.0.1"})
    (flow,) = [o for o in objects.values() if o["type"] == "network-traffic"]
    assert flow["src_ref"] == flow["dst_ref"] and objects[flow["src_ref"]]["value"] == "10.0.0.1"


FIELDS = st.sampled_from([*sorted(FIELD_KINDS), "DestinationPort", "CommandLine", "User"])
VALUES = st.one_of(st.text(max_size=30), st.integers(), st.lists(st.text(max_size=10)), st.none())


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(FIELDS, VALUES, max_size=8))
def test_any_event_gives_well_formed_objects(fields: dict[str, Any]) -> None:
    objects = observation(fields)
    for obj in objects.values():
        assert obj["type"]
        for key, value in obj.items():
            if key.endswith("_ref"):
                assert value in objects
