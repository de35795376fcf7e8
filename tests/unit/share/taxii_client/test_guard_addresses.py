"""Which addresses the TAXII client connects to, as a class: every address of every kind.

``allow_private_addresses`` opens loopback and private ranges for labs and nothing more:
link-local and cloud metadata addresses stay refused unless their network is named in
``allowed_networks`` (issue 9, low), and a named network is the only way to reach them.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.config.taxii import TaxiiFeed
from shieldwall.share.taxii_client.errors import RefusedTargetError
from shieldwall.share.taxii_client.guard import METADATA_ADDRESSES, IpAddress, refusal
from shieldwall.share.taxii_client.transport import resource_path

addresses = st.one_of(
    st.ip_addresses(),
    st.sampled_from(sorted(METADATA_ADDRESSES, key=str)),
    st.integers(0, 2**16 - 1).map(lambda n: ipaddress.ip_address(0xA9FE0000 + n)),  # 169.254/16
    st.integers(0, 2**64 - 1).map(lambda n: ipaddress.ip_address((0xFE80 << 112) + n)),
    st.sampled_from(["10.1.2.3", "192.168.0.1", "127.0.0.1", "::1", "fd12::1", "100.64.1.1"]).map(
        ipaddress.ip_address
    ),
    st.sampled_from(
        ["::ffff:169.254.169.254", "::ffff:10.0.0.1", "8.8.8.8", "2001:4860::8888"]
    ).map(ipaddress.ip_address),
)


SHARED = ipaddress.ip_network("100.64.0.0/10")


def _unmapped(address: IpAddress) -> IpAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@settings(max_examples=1500, deadline=None)
@given(addresses, st.booleans())
def test_metadata_and_link_local_stay_refused_whatever_private_allows(
    address: IpAddress, allow_private: bool
) -> None:
    plain = _unmapped(address)
    reason = refusal(address, allow_private=allow_private)
    if plain in METADATA_ADDRESSES or plain.is_link_local:
        assert reason is not None
    if plain.is_global and not plain.is_multicast:
        assert reason is None
    if reason is None:
        assert plain.is_global or (
            allow_private
            and (
                plain.is_private
                or plain.is_loopback
                or plain in ipaddress.ip_network("100.64.0.0/10")
            )
        )
        assert not plain.is_multicast and not plain.is_unspecified


@settings(max_examples=500, deadline=None)
@given(addresses, st.booleans())
def test_a_named_network_is_reached_and_only_it(address: IpAddress, allow_private: bool) -> None:
    plain = _unmapped(address)
    network = ipaddress.ip_network(f"{plain}/{plain.max_prefixlen}")
    assert refusal(address, allow_private=allow_private, named=(network,)) is None


def test_the_metadata_service_is_refused_with_private_addresses_allowed() -> None:
    for text in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2"):
        assert refusal(ipaddress.ip_address(text), allow_private=True) == "a cloud metadata address"
    assert (
        refusal(ipaddress.ip_address("169.254.10.1"), allow_private=True) == "a link-local address"
    )
    assert refusal(ipaddress.ip_address("10.0.0.1"), allow_private=True) is None


def test_allowed_networks_must_be_networks() -> None:
    base = {"name": "f", "url": "https://taxii.example.org", "collection_id": "c"}
    assert TaxiiFeed(**base, allowed_networks=("169.254.10.0/24",)).allowed_networks
    with pytest.raises(ValueError, match="not an IP network"):
        TaxiiFeed(**base, allowed_networks=("lab.example",))


@settings(max_examples=500, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_a_remote_status_id_stays_one_segment_under_the_api_root(ident: str) -> None:
    """Whatever id a partner answers with, the URL polled is ``status/<that id>/`` and
    nothing else: no extra segment, no climbing, no query."""

    base = httpx.URL("https://taxii.example.org/api1/")
    try:
        path = resource_path("status", ident, remote="p")
    except RefusedTargetError:
        assert ident in (".", "..")
        return
    url = base.join(path)
    assert url.host == "taxii.example.org" and not url.query and not url.fragment
    raw = url.raw_path.decode()
    assert raw.startswith("/api1/status/") and raw.endswith("/")
    segment = raw.removeprefix("/api1/status/").removesuffix("/")
    assert "/" not in segment and unquote(segment) == ident
