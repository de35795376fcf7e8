"""A DNS Response Policy Zone: blocked domains (and their subdomains) answer NXDOMAIN, and
answers holding a blocked address are rewritten too (``rpz-ip`` triggers).

Domains are normalised labels (letters, digits, ``-``, ``_``), so an owner name cannot hold
a blank, a ``;`` (a comment in a zone file), a quote or a newline. The SOA serial is the
list's version, so a secondary reloads the zone when, and only when, it changed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from shieldwall.model.measures import MeasureKind
from shieldwall.respond.measures.formats.context import BuildContext
from shieldwall.respond.measures.formats.memo import Memo
from shieldwall.respond.measures.items import Item

TTL = 300
_OWNERS: Memo[str] = Memo()
"""Per item: its lines of the zone (none for kinds a zone does not carry)."""


def write_rpz(items: Sequence[Item], context: BuildContext) -> bytes:
    """The zone, relative owner names (``$ORIGIN`` is the zone name the resolver gives it)."""
    lines = [
        f"; Shieldwall protective measures for {context.member}/{context.subscription}",
        f"$TTL {TTL}",
        f"@ IN SOA localhost. hostmaster.localhost. {context.version} 3600 600 86400 {TTL}",
        "@ IN NS localhost.",
    ]
    lines.extend(owner for owner in _OWNERS.pieces(items, _lines) if owner)
    return ("\n".join(lines) + "\n").encode()


def _lines(item: Item) -> str:
    if item.kind is MeasureKind.DOMAIN:
        return f"{item.value} CNAME .\n*.{item.value} CNAME ."
    if item.kind is MeasureKind.IP:
        return f"{_rpz_ip(item.value)} CNAME ."
    return ""


def _rpz_ip(value: str) -> str:
    """The ``rpz-ip`` owner of an address or block: prefix length, then labels reversed."""
    network = ipaddress.ip_network(value)
    if network.version == 4:
        labels = str(network.network_address).split(".")[::-1]
    else:
        labels = _v6_labels(network)
    return f"{network.prefixlen}.{'.'.join(labels)}.rpz-ip"


def _v6_labels(network: ipaddress.IPv6Network) -> list[str]:
    """IPv6 groups reversed, the longest run of zeros written ``zz`` (RFC draft rpz)."""
    groups = [f"{g:x}" for g in _groups(network.network_address)]
    best, start = (0, -1), -1
    for index, group in enumerate([*groups, "x"]):
        if group == "0" and start < 0:
            start = index
        elif group != "0" and start >= 0:
            best = max(best, (index - start, -start))
            start = -1
    if best[0] >= 2:
        at = -best[1]
        groups = [*groups[:at], "zz", *groups[at + best[0] :]]
    return groups[::-1]


def _groups(address: ipaddress.IPv6Address) -> list[int]:
    number = int(address)
    return [(number >> (16 * (7 - i))) & 0xFFFF for i in range(8)]
