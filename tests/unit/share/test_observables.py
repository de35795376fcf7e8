"""The address term's fast path for single IPv4 addresses agrees with the general one."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from shieldwall.share.intel.observables import IndexTerm, ip_term


def _by_network(text: str) -> IndexTerm | None:
    """The general computation every address and block used to take."""
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None
    width = 8 if network.version == 4 else 32
    lo = f"{network.version}{int(network.network_address):0{width}x}"
    hi = f"{network.version}{int(network.broadcast_address):0{width}x}"
    return IndexTerm("ip", str(network), lo, hi)


_DOTTED = st.lists(
    st.one_of(st.integers(0, 300).map(str), st.sampled_from(["01", "00", "", "x", " 1"])),
    min_size=1,
    max_size=5,
).map(".".join)


@given(st.one_of(_DOTTED, st.ip_addresses(v=4).map(str), st.text(max_size=20)))
def test_single_ipv4_fast_path_equals_the_network_path(text: str) -> None:
    assert ip_term(text) == _by_network(text)


def test_a_single_address_is_a_one_address_range() -> None:
    found = ip_term(" 192.0.2.7 ")
    assert found == IndexTerm("ip", "192.0.2.7/32", "4c0000207", "4c0000207")
