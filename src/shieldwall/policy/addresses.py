"""Which network addresses Shieldwall may connect to on a member's or a partner's behalf.

Every outbound connection to a target someone else named (a TAXII server, a member's
webhook) is checked here at connect time, address by address, so a name that resolves to
an internal address (or that rebinds to one after a first look) is refused: no SSRF. The
rule, once for every client (:mod:`shieldwall.share.taxii_client.guard`, the webhook
transport of :mod:`shieldwall.respond.notify`):

- a network the operator names (``allowed_networks``) wins over everything;
- public unicast addresses pass;
- cloud metadata, link-local, multicast, unspecified and reserved addresses never do;
- loopback and private ranges pass only when the operator allows them (labs, tests).
"""

from __future__ import annotations

import ipaddress

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(text)
    for text in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
"""Cloud instance metadata services (AWS, ECS tasks, AWS IPv6, Alibaba); GCP and Azure use
169.254.169.254 too. Some sit outside link-local ranges, so they are listed by address."""
_SHARED = ipaddress.ip_network("100.64.0.0/10")


def _unmapped(address: IpAddress) -> IpAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_public(address: IpAddress) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 judged as IPv4)."""
    address = _unmapped(address)
    return address.is_global and not address.is_multicast


def refusal(
    address: IpAddress, *, allow_private: bool, named: tuple[IpNetwork, ...] = ()
) -> str | None:
    """Why Shieldwall will not connect to ``address``, or None when it may.

    A named network wins over everything; otherwise public addresses pass, metadata,
    link-local and non-unicast ones never do, and private ones only when allowed.
    """
    address = _unmapped(address)
    if any(address.version == net.version and address in net for net in named):
        return None
    if is_public(address):
        return None
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return "not a host address"
    private = address.is_private or address.is_loopback or address in _SHARED
    if allow_private and private:
        return None
    return "a non-public address"


def parse_networks(texts: tuple[str, ...]) -> tuple[IpNetwork, ...]:
    """The operator's ``allowed_networks`` as networks (validated when settings load)."""
    return tuple(ipaddress.ip_network(text, strict=False) for text in texts)
