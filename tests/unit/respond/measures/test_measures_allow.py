"""Allow-lists: integer spans agree with :mod:`ipaddress` (an oracle property), and domains
are stopped when they are, are under, or are above an allowed name."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.model.measures import AllowEntry, MeasureKind
from shieldwall.respond.measures.allow import AllowSet
from shieldwall.respond.measures.items import Item
from shieldwall.respond.measures.values import normalise

T0 = datetime(2026, 12, 7, tzinfo=UTC)


def entry(kind: MeasureKind, value: str) -> AllowEntry:
    return AllowEntry("e", None, kind, value, "", "op", T0)


def networks(version: int) -> st.SearchStrategy[str]:
    """Any block of that IP version, host bits cleared, as text."""
    bits = 32 if version == 4 else 128
    make = ipaddress.IPv4Network if version == 4 else ipaddress.IPv6Network

    def block(pair: tuple[int, int]) -> str:
        address, prefix = pair
        return str(make((address >> (bits - prefix) << (bits - prefix), prefix)))

    return st.tuples(st.integers(0, 2**bits - 1), st.integers(0, bits)).map(block)


@settings(max_examples=300, deadline=None)
@given(
    version=st.sampled_from([4, 6]),
    data=st.data(),
)
def test_address_overlap_agrees_with_ipaddress(version: int, data: st.DataObject) -> None:
    allowed = normalise(MeasureKind.IP, data.draw(networks(version)))
    blocked = normalise(MeasureKind.IP, data.draw(networks(version)))
    allow = AllowSet([entry(MeasureKind.IP, allowed)])
    stopper = allow.stopper(Item(MeasureKind.IP, blocked, "m"))
    oracle = ipaddress.ip_network(allowed).overlaps(ipaddress.ip_network(blocked))  # type: ignore[arg-type]
    assert (stopper is not None) == oracle


def test_domains_under_and_above_an_allowed_name_are_stopped() -> None:
    allow = AllowSet([entry(MeasureKind.DOMAIN, "www.example.org")])

    def stopped(kind: MeasureKind, value: str) -> bool:
        return allow.stopper(Item(kind, normalise(kind, value), "m")) is not None

    assert stopped(MeasureKind.DOMAIN, "www.example.org")
    assert stopped(MeasureKind.DOMAIN, "a.www.example.org")
    assert stopped(MeasureKind.DOMAIN, "example.org")  # would block the allowed name
    assert not stopped(MeasureKind.DOMAIN, "wwwexample.org")
    assert not stopped(MeasureKind.DOMAIN, "other.example.org")
    assert stopped(MeasureKind.URL, "https://www.example.org/login")
    assert not stopped(MeasureKind.URL, "https://example.org/login")  # only that page
    assert not stopped(MeasureKind.IP, "192.0.2.1")
