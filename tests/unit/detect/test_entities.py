"""Entities of an alert from the field names of every format, checked for their kind."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shieldwall.detect import entities
from shieldwall.detect.entities import MAX_PER_KIND, extract, techniques

SHA256 = "a" * 64
MD5 = "0123456789abcdef0123456789ABCDEF"


def test_windows_names_give_host_user_hashes_and_ips() -> None:
    found = extract(
        {
            "Computer": "WS1.alpha.example",
            "User": "ALPHA\\eve",
            "Hashes": f"SHA256={SHA256},MD5={MD5},IMPHASH=zz",
            "SourceIp": "10.0.0.5",
            "DestinationIp": "not-an-ip",
            "QueryName": "Evil.Example.COM.",
        }
    )
    assert found.hosts == ("ws1.alpha.example",) and found.users == ("ALPHA\\eve",)
    assert found.hashes == (SHA256, MD5.lower())
    assert found.ips == ("10.0.0.5",) and found.domains == ("evil.example.com",)


def test_ecs_and_zeek_names_give_the_same_kinds() -> None:
    found = extract(
        {
            "host.hostname": "web1",
            "user.name": "-",
            "source.ip": "2001:db8::1",
            "destination.ip": "192.0.2.7",
            "id.orig_h": "192.0.2.7",
            "dns.question.name": "c2.example.net",
            "file.hash.sha1": "b" * 40,
            "url.domain": "192.0.2.7",
        }
    )
    assert found.hosts == ("web1",) and found.users == ()
    assert found.ips == ("2001:db8::1", "192.0.2.7")
    assert found.domains == ("c2.example.net",) and found.hashes == ("b" * 40,)


def test_techniques_come_from_attack_tags_once_each() -> None:
    tags = ("attack.execution", "attack.t1204.002", "attack.T1059", "attack.t1204.002", "car.x")
    assert techniques(tags) == ("T1204.002", "T1059")


values = st.one_of(
    st.text(max_size=80),
    st.integers(),
    st.none(),
    st.booleans(),
    st.lists(st.text(max_size=20), max_size=40),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
)
names = st.sampled_from(
    ["Computer", "User", "Hashes", "SourceIp", "QueryName", "source.ip", "user.name", "x"]
)


@given(st.dictionaries(names, values, max_size=8))
def test_any_fields_give_bounded_checked_entities(fields: dict[str, Any]) -> None:
    found = extract(fields)
    for kind in (found.hosts, found.users, found.ips, found.hashes, found.domains):
        assert len(kind) <= MAX_PER_KIND and len(set(kind)) == len(kind)
        assert all(value and value.strip() == value for value in kind)
    assert all(len(h) in (32, 40, 64) and h == h.lower() for h in found.hashes)
    assert all("." in d and d == d.lower() for d in found.domains)


@given(st.dictionaries(names, values, max_size=8), st.dictionaries(names, values, max_size=8))
def test_remembered_entities_are_those_the_fields_give(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    """Whatever was extracted before (text values are remembered), the answer is the one
    read from the fields themselves."""
    extract(first)
    for fields in (second, {**second, "EventID": 4624}, first):
        assert extract(fields) == entities._extract(fields)


def test_a_number_equal_to_true_is_not_taken_for_it() -> None:
    """``True == 1``: values other than text are never remembered, so a boolean (not an
    entity) and a number (one) each give their own answer."""
    assert extract({"User": True}).users == ()
    assert extract({"User": 1}).users == ("1",)
    assert extract({"User": True}).users == ()


def test_the_remembered_entities_are_bounded() -> None:
    for number in range(entities.MAX_REMEMBERED + 10):
        extract({"Computer": f"ws{number}"})
    assert 0 < len(entities._seen) <= entities.MAX_REMEMBERED
    assert extract({"Computer": "ws1"}).hosts == ("ws1",)
