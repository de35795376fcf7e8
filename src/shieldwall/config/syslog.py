"""Which member a syslog sender is: configured source address ranges, one member each.

A syslog message carries no credential, so the centre attributes it by the sender's
address alone: the operator lists each member's ranges, and a message from an address in
no range is dropped and counted, never attributed. In TOML::

    [[shieldwall.syslog_sources]]
    network = "10.20.0.0/16"
    org_id = "alpha"

From the environment: ``SHIELDWALL_SYSLOG_SOURCES="10.20.0.0/16=alpha,2001:db8::/32=bravo"``.
When ranges overlap, the narrowest wins (a member's host inside another's network).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shieldwall.config.taxii import ORG_ID_PATTERN

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SyslogSource(BaseModel):
    """One range of sender addresses and the member its messages belong to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    network: Network = Field(description="CIDR range, host bits clear (10.20.0.0/16).")
    org_id: str = Field(pattern=ORG_ID_PATTERN, min_length=1)


def parse_sources(value: Any) -> Any:
    """``cidr=org,cidr=org`` from the environment into tables; anything else unchanged."""
    if not isinstance(value, str):
        return value
    sources: list[dict[str, str]] = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        network, sep, org = item.rpartition("=")
        if not sep:
            raise ValueError(f"{item!r} is not network=org_id")
        sources.append({"network": network.strip(), "org_id": org.strip()})
    return sources
