"""An nftables table with two interval sets of blocked addresses (IPv4, IPv6) and the rules
that drop traffic to and from them.

Loaded with ``nft -f``; the table is deleted and recreated in one transaction, so a new
version replaces the old one atomically. Only ``ip`` items belong here; each is an
address or a block :mod:`ipaddress` printed, so it cannot carry anything but digits,
dots, colons and a prefix length. ``auto-merge`` lets overlapping blocks coexist.
"""

from __future__ import annotations

from collections.abc import Sequence

from shieldwall.model.measures import MeasureKind
from shieldwall.respond.measures.formats.context import BuildContext
from shieldwall.respond.measures.items import Item

TABLE = "shieldwall"


def write_nftables(items: Sequence[Item], context: BuildContext) -> bytes:
    """The table, both sets and the drop rules."""
    ip = MeasureKind.IP  # looked up once: an enum member is a slow attribute in 3.11
    addresses = [i.value for i in items if i.kind is ip]
    v4 = [value for value in addresses if ":" not in value]
    v6 = [value for value in addresses if ":" in value]
    lines = [
        f"# Shieldwall protective measures for {context.member}/{context.subscription}",
        f"# version {context.version}, built {context.stamp}",
        f"table inet {TABLE}",
        f"delete table inet {TABLE}",
        f"table inet {TABLE} {{",
        *_set("blocked_v4", "ipv4_addr", v4),
        *_set("blocked_v6", "ipv6_addr", v6),
        "  chain filter {",
        "    type filter hook forward priority filter - 10; policy accept;",
        "    ip saddr @blocked_v4 drop",
        "    ip daddr @blocked_v4 drop",
        "    ip6 saddr @blocked_v6 drop",
        "    ip6 daddr @blocked_v6 drop",
        "  }",
        "}",
    ]
    return ("\n".join(lines) + "\n").encode()


def _set(name: str, kind: str, values: list[str]) -> list[str]:
    lines = [f"  set {name} {{", f"    type {kind}", "    flags interval", "    auto-merge"]
    if values:
        lines.append("    elements = {")
        lines.extend(f"      {value}," for value in values)
        lines.append("    }")
    lines.append("  }")
    return lines
