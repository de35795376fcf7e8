"""Campaign links beyond the same indicator: the same infrastructure (docs/posture.md).

Two members hit by the same indicator share a campaign (:func:`.grouping.observables`).
Attackers move between neighbouring addresses and sibling host names, so the same
*infrastructure* links members too, each heuristic a link of its own kind, switched on
and off in :class:`CampaignRules`:

* ``net:`` — public IPs in the same network (IPv4 /24, IPv6 /48 by default). Private,
  loopback and reserved addresses never link: two members' ``10.0.0.5`` are two machines;
* ``regdomain:`` — domains under the same registered domain (``a.evil.co.uk`` and
  ``b.evil.co.uk`` → ``evil.co.uk``, by the Public Suffix List bundled with tldextract,
  never fetched);
* ``urlhost:`` — the host of an absolute URL in the alert's event (``url.full``, …).

The same C2 IP at two members is already the indicator link ``ip:``. Each link is bounded
like every link (400 characters).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import tldextract

from shieldwall.model.alert import Entities

URL_FIELDS = ("url.full", "url.original", "http.url", "Url", "url", "request.url")


@dataclass(frozen=True, slots=True)
class CampaignRules:
    """Which links make campaigns, and the technique chains' length and window."""

    by_network: bool = True
    ipv4_prefix: int = 24
    ipv6_prefix: int = 48
    by_registered_domain: bool = True
    by_url_host: bool = True
    by_chain: bool = True
    chain_length: int = 3
    """How many ATT&CK techniques, in order, make a chain (2 at least)."""
    chain_window: timedelta = timedelta(days=7)
    """Incidents of two members holding one chain further apart than this: no campaign."""

    def links(self, entities: Entities, event: Mapping[str, Any]) -> frozenset[str]:
        """The infrastructure links of a hit (its own indicators aside)."""
        found: set[str] = set()
        if self.by_network:
            found.update(n for n in (self._network(ip) for ip in entities.ips) if n)
        if self.by_registered_domain:
            found.update(f"regdomain:{d}" for d in map(registered_domain, entities.domains) if d)
        if self.by_url_host:
            found.update(f"urlhost:{host}" for host in url_hosts(event))
        return frozenset(link[:400] for link in found)

    def _network(self, text: str) -> str | None:
        return _network(text, self.ipv4_prefix, self.ipv6_prefix)


@lru_cache(maxsize=65_536)
def _network(text: str, ipv4_prefix: int, ipv6_prefix: int) -> str | None:
    """The ``net:`` link of a public address (parsed once: a busy host names the same few
    addresses in hit after hit)."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if not address.is_global:
        return None
    prefix = ipv4_prefix if address.version == 4 else ipv6_prefix
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    return f"net:{network}"


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    """The bundled Public Suffix List: no network, no cache directory."""
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=65_536)
def registered_domain(domain: str) -> str | None:
    """The domain registered under a public suffix (``evil.co.uk``); None when none."""
    found = _extractor()(domain.strip().rstrip(".").lower()).top_domain_under_public_suffix
    return found or None


def url_hosts(event: Mapping[str, Any]) -> set[str]:
    """Hosts of the absolute URLs in the event's URL fields, lower-cased."""
    hosts: set[str] = set()
    for name in URL_FIELDS:
        value = event.get(name)
        if not isinstance(value, str) or "://" not in value[:16]:
            continue
        try:
            host = urlsplit(value.strip()[:2048]).hostname
        except ValueError:
            continue
        if host:
            hosts.add(host.lower())
    return hosts
