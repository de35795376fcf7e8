"""Entities of an alert: the hosts, users, IPs, hashes and domains its event names.

Read from the field names the normalisers give (Windows/Sysmon names such as
``Computer``, ``User``, ``Hashes``; ECS names such as ``host.hostname``, ``user.name``,
``source.ip``, ``dns.question.name``; Zeek's ``id.orig_h``). Each value is checked for
its kind (an IP parses, a hash is hex of an MD5/SHA-1/SHA-256 length, a domain has a dot)
so that grouping alerts into incidents never links on noise such as ``-``. The number of
values per kind is bounded: the event is a member's, its size is not ours to trust.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from shieldwall.model.alert import Entities

MAX_PER_KIND = 16

HOST_FIELDS = ("Computer", "ComputerName", "Hostname", "host.hostname", "host.name", "hostname")
USER_FIELDS = (
    "User",
    "user.name",
    "TargetUserName",
    "SubjectUserName",
    "AccountName",
    "UserName",
    "user",
    "username",
)
IP_FIELDS = (
    "SourceIp",
    "DestinationIp",
    "IpAddress",
    "SourceAddress",
    "DestAddress",
    "source.ip",
    "destination.ip",
    "client.ip",
    "server.ip",
    "src_ip",
    "dest_ip",
    "id.orig_h",
    "id.resp_h",
    "c-ip",
)
HASH_FIELDS = (
    "Hashes",
    "Hash",
    "md5",
    "sha1",
    "sha256",
    "hash.md5",
    "hash.sha1",
    "hash.sha256",
    "file.hash.md5",
    "file.hash.sha1",
    "file.hash.sha256",
    "process.hash.md5",
    "process.hash.sha1",
    "process.hash.sha256",
)
DOMAIN_FIELDS = (
    "QueryName",
    "DestinationHostname",
    "dns.question.name",
    "url.domain",
    "destination.domain",
    "server_name",
    "query",
)
NOT_A_USER = frozenset({"", "-", "n/a", "none", "null"})

_HEX = re.compile(r"^[0-9a-f]+$")
_HASH_LENGTHS = frozenset({32, 40, 64})
_DOMAIN = re.compile(
    r"^(?=.{4,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$"
)
_TECHNIQUE = re.compile(r"^attack\.(t\d{4}(?:\.\d{3})?)$", re.IGNORECASE)


def extract(fields: Mapping[str, Any]) -> Entities:
    """The entities ``fields`` name, each kind deduplicated, in field order.

    Remembered by the values of the fields read, when all are text (or absent): a host's
    events name the same computer and users again and again, and reading the fields
    costs a fraction of checking their values."""
    values = tuple(map(fields.get, _NAMES))
    if not _TEXT_OR_NONE.issuperset(map(type, values)):  # a number, a list: not remembered
        return _extract(fields)
    found = _seen.get(values)
    if found is None:
        if len(_seen) >= MAX_REMEMBERED:
            _seen.clear()
        found = _seen[values] = _extract(fields)
    return found


def _extract(fields: Mapping[str, Any]) -> Entities:
    return Entities(
        hosts=_collect(fields, HOST_FIELDS, _host),
        users=_collect(fields, USER_FIELDS, _user),
        ips=_collect(fields, IP_FIELDS, _ip),
        hashes=_collect(fields, HASH_FIELDS, _hashes, cut=None),
        domains=_collect(fields, DOMAIN_FIELDS, _domain),
    )


_NAMES = tuple(dict.fromkeys(HOST_FIELDS + USER_FIELDS + IP_FIELDS + HASH_FIELDS + DOMAIN_FIELDS))
"""Every field :func:`extract` reads: their values decide its answer."""
_TEXT_OR_NONE = frozenset({str, type(None)})
MAX_REMEMBERED = 4096
"""Entities remembered by their fields' values (emptied when full)."""
_seen: dict[tuple[Any, ...], Entities] = {}


def techniques(tags: Iterable[str]) -> tuple[str, ...]:
    """ATT&CK technique ids (``T1204.002``) from Sigma tags, in tag order, once each."""
    found = (_TECHNIQUE.match(tag.strip()) for tag in tags)
    return tuple(dict.fromkeys(match.group(1).upper() for match in found if match))


def _collect(
    fields: Mapping[str, Any],
    names: tuple[str, ...],
    check: Callable[[str], str | list[str]],
    *,
    cut: int | None = 300,
) -> tuple[str, ...]:
    """The first :data:`MAX_PER_KIND` distinct values ``check`` accepts (of each value's
    first ``cut`` characters), in field order.

    Plain loops rather than chained generators: this runs for every alerting event."""
    found: dict[str, None] = {}
    for name in names:
        value = fields.get(name)
        if value is None:
            continue
        for item in value if isinstance(value, list) else (value,):
            if not isinstance(item, str | int) or isinstance(item, bool):
                continue
            checked = check(str(item).strip()[:cut])
            for one in checked if isinstance(checked, list) else (checked,):
                if one and one not in found:
                    found[one] = None
                    if len(found) == MAX_PER_KIND:
                        return tuple(found)
    return tuple(found)


def _host(raw: str) -> str:
    value = raw.lower().rstrip(".").strip()
    return value if value and value != "-" else ""


def _user(raw: str) -> str:
    return raw if raw.lower() not in NOT_A_USER else ""


@lru_cache(maxsize=8192)  # a host's addresses recur in most of its events
def _ip(raw: str) -> str:
    try:
        return str(ipaddress.ip_address(raw.strip("[]")))
    except ValueError:
        return ""


@lru_cache(maxsize=8192)
def _domain(raw: str) -> str:
    value = raw.lower().rstrip(".")
    return value if _DOMAIN.match(value) and not _ip(value) else ""


def _hash(raw: str) -> str:
    value = raw.strip().lower()
    return value if len(value) in _HASH_LENGTHS and _HEX.match(value) else ""


def _hashes(raw: str) -> list[str]:
    """A plain hash, or Sysmon's ``Hashes`` (``SHA256=..,MD5=..``)."""
    return [_hash(part.rpartition("=")[2]) for part in raw.split(",")]
