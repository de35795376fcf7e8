"""Which event fields hold which observables, for the watchlists (:mod:`.watchlist`).

Events keep the names their source gives (normalise does not rename): Sysmon/Windows
names, dotted ECS names, Zeek and Suricata EVE names. One table here says which of them
carry an address, a domain, a URL, a digest, an e-mail address, a file name or a user
agent; a field not named here is never looked at, so a watchlist never matches text in a
command line or a message by accident.
"""

from __future__ import annotations

from collections.abc import Iterator

_IP = (
    "SourceIp", "DestinationIp", "IpAddress", "ClientAddress", "SourceAddress",
    "DestAddress", "source.ip", "destination.ip", "client.ip", "server.ip", "host.ip",
    "related.ip", "id.orig_h", "id.resp_h", "src_ip", "dest_ip", "tx_hosts", "rx_hosts",
)  # fmt: skip
_DOMAIN = (
    "QueryName", "DestinationHostname", "dns.question.name", "destination.domain",
    "url.domain", "server.domain", "tls.client.server_name", "query", "host", "server_name",
    "dns.rrname", "http.hostname", "tls.sni",
)  # fmt: skip
_URL = ("url.original", "url.full", "TargetUrl")
_HASHES = ("Hashes", "Hash")
_HASH = (
    "file.hash.md5", "file.hash.sha1", "file.hash.sha256", "file.hash.sha512",
    "process.hash.md5", "process.hash.sha1", "process.hash.sha256", "md5", "sha1",
    "sha256", "fileinfo.md5", "fileinfo.sha1", "fileinfo.sha256",
)  # fmt: skip
_EMAIL = (
    "email.from.address", "email.to.address", "email.sender.address", "user.email",
    "mailfrom", "rcptto", "from", "to",
)  # fmt: skip
_FILE = (
    "Image", "TargetFilename", "OriginalFileName", "ImageLoaded", "file.name", "file.path",
    "process.executable", "process.name", "filename", "fileinfo.filename",
)  # fmt: skip
_AGENT = ("user_agent.original", "user_agent", "http.http_user_agent", "UserAgent")

FIELD_KINDS: dict[str, str] = {
    **dict.fromkeys(_IP, "ip"),
    **dict.fromkeys(_DOMAIN, "domain"),
    **dict.fromkeys(_URL, "url"),
    **dict.fromkeys(_HASHES, "hashes"),
    **dict.fromkeys(_HASH, "hash"),
    **dict.fromkeys(_EMAIL, "email"),
    **dict.fromkeys(_FILE, "file-name"),
    **dict.fromkeys(_AGENT, "user-agent"),
}
"""Event field name -> observable kind (``hashes``: Sysmon's ``SHA256=..,MD5=..`` list)."""

DIGEST_NAMES = frozenset({"MD5", "SHA1", "SHA256", "SHA512", "SHA-1", "SHA-256"})
"""Names in a Sysmon ``Hashes`` list that are file digests (IMPHASH is not)."""


def split_hashes(text: str) -> Iterator[str]:
    """The digests of ``SHA256=ab..,MD5=cd..`` (a bare digest is taken as it is)."""
    if "=" not in text:
        if text.strip():
            yield text.strip()
        return
    for part in text.split(","):
        name, _, digest = part.partition("=")
        if name.strip().upper() in DIGEST_NAMES and digest.strip():
            yield digest.strip()


def url_host(url: str) -> str:
    """The host of an absolute URL, without user, port or IPv6 brackets ('' if none)."""
    _, sep, rest = url.strip().partition("://")
    if not sep:
        return ""
    for mark in "/?#":
        rest = rest.split(mark, 1)[0]
    host = rest.rsplit("@", 1)[-1]
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
