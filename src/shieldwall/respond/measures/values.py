"""Values a measure may carry, normalised, or refused with a clear reason.

Every format writes values into a syntax of its own (a Suricata rule, an RPZ zone, an
nftables set, a tab-separated Zeek file), where a quote, a semicolon or a newline would
end the value and start an instruction. So nothing is escaped on the way out by hope:
a value is admitted only when it is exactly what its kind allows —

- ``ip``: an address or a CIDR block that :mod:`ipaddress` reads; written in its
  canonical form (host bits of a block must be zero);
- ``domain``: ASCII letters, digits, ``-`` and ``_`` in dot-separated labels of 1–63,
  253 at most, lower-case, no trailing dot (an internationalised name is given in its
  ``xn--`` form);
- ``url``: ``http`` or ``https``, a host that is a valid domain or address, then only
  the printable characters RFC 3986 allows (no blanks, quotes, backslashes, ``|``,
  ``<``, ``>``, braces, control characters); ``;`` is legal in a URL and each writer
  that needs it escapes it (Suricata writes it as ``|3B|``);
- hashes: hexadecimal of the kind's length, lower-case.
"""

from __future__ import annotations

import ipaddress
import re

from shieldwall.model.errors import InputError
from shieldwall.model.measures import MeasureKind

MAX_URL = 2000
HASH_LENGTHS = {MeasureKind.MD5: 32, MeasureKind.SHA1: 40, MeasureKind.SHA256: 64}
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_HEX = re.compile(r"[0-9a-f]+")
_URL_REST = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_URL = re.compile(r"(https?)://([^/?#]+)(.*)", re.IGNORECASE | re.DOTALL)


def normalise(kind: MeasureKind, value: str) -> str:
    """The value in its canonical form; InputError naming the reason when it is refused."""
    if not isinstance(value, str) or not value:
        raise InputError(f"an empty {kind} value", place="value")
    if kind is MeasureKind.IP:
        return _ip(value)
    if kind is MeasureKind.DOMAIN:
        return _domain(value)
    if kind is MeasureKind.URL:
        return _url(value)
    return _hash(kind, value)


def _ip(value: str) -> str:
    if "%" in value:  # an IPv6 scope id (``fe80::1%eth0``) is free text: never admitted
        raise InputError("an IP address with a scope id (%)", place="value")
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise InputError(f"not an IP address or CIDR block: {exc}", place="value") from None
    single = network.num_addresses == 1
    return str(network.network_address) if single else str(network)


def _domain(value: str) -> str:
    text = value.lower()
    if text.endswith("."):
        text = text[:-1]
    if not text.isascii():
        raise InputError("a domain must be ASCII (give its xn-- form)", place="value")
    if len(text) > 253 or "." not in text:
        raise InputError("a domain needs two labels or more and 253 characters at most")
    for label in text.split("."):
        if not _LABEL.fullmatch(label):
            raise InputError(
                f"domain label {label[:70]!r} is not letters, digits, '-' or '_'", place="value"
            )
    return text


def _url(value: str) -> str:
    if len(value) > MAX_URL:
        raise InputError(f"a URL of more than {MAX_URL} characters", place="value")
    found = _URL.fullmatch(value)
    if found is None:
        raise InputError("a URL must start with http:// or https:// and name a host")
    scheme, host, rest = found.group(1).lower(), found.group(2), found.group(3)
    name, _, port = host.partition(":") if not host.startswith("[") else (host, "", "")
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise InputError(f"URL port {port[:10]!r} is not a number from 1 to 65535")
    if name.startswith("["):
        _ip(name.strip("[]"))
    elif not _is_address(name):
        name = _domain(name)
    if not _URL_REST.fullmatch(rest):
        raise InputError("a URL with characters RFC 3986 does not allow (quote, blank, ...)")
    return f"{scheme}://{name}{':' + port if port else ''}{rest or '/'}"


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _hash(kind: MeasureKind, value: str) -> str:
    text = value.lower()
    if len(text) != HASH_LENGTHS[kind] or not _HEX.fullmatch(text):
        raise InputError(f"a {kind} is {HASH_LENGTHS[kind]} hexadecimal digits", place="value")
    return text


def url_parts(url: str) -> tuple[str, str]:
    """The host (without port) and the path-and-query of a normalised URL."""
    found = _URL.fullmatch(url)
    if found is None:
        raise InputError("not a normalised URL", place="value")
    host = found.group(2)
    name = host if host.startswith("[") else host.partition(":")[0]
    return name, found.group(3) or "/"
