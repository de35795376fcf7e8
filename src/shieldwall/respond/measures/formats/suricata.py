"""Suricata rules: traffic to a blocked address, DNS queries for a domain, HTTP to a URL.

Values are normalised before they get here (:mod:`..values`); on top of that every byte
that means something inside a ``content`` string (``"``, ``;``, ``\\``, ``|``, and anything
outside printable ASCII) is written as hex (``|3B|``), and ``msg`` holds only the kind and
a hash of the value, never free text. File hashes need Suricata's ``filemd5``/``filesha256``
list files, not rules, so they are left out of this format (the other formats carry them).

Signature ids are stable per value (a hash into a reserved range, collisions moved to the
next free id in sorted order), so a rule keeps its id from one version to the next.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from shieldwall.model.measures import MeasureKind
from shieldwall.respond.measures.formats.context import BuildContext
from shieldwall.respond.measures.formats.memo import Memo
from shieldwall.respond.measures.items import Item
from shieldwall.respond.measures.values import url_parts

SID_BASE = 3_400_000_000
SID_SPAN = 50_000_000
_RULES: Memo[tuple[int, str, str, str]] = Memo()
"""Per item: its own signature id, its rule with it, and the rule up to ``sid:`` and after
(to write it with another id when that one is taken); all blank for a kind without one."""
_SAFE = frozenset(range(0x21, 0x7F)) - {ord(c) for c in "\"';:\\|{}`$()"}


def write_suricata(items: Sequence[Item], context: BuildContext) -> bytes:
    """One rule per address, domain or URL."""
    lines = [f"# Shieldwall protective measures for {context.member}/{context.subscription}"]
    lines.append(f"# version {context.version}, built {context.stamp}")
    used: set[int] = set()
    for rule in _RULES.pieces(items, _rule):
        if not rule[1]:
            continue  # a kind without a rule (file hashes)
        sid = rule[0]
        if sid not in used:
            used.add(sid)
            lines.append(rule[1])
            continue
        while sid in used:
            sid = SID_BASE + (sid - SID_BASE + 1) % SID_SPAN
        used.add(sid)
        lines.append(f"{rule[2]}{sid}{rule[3]}")
    return ("\n".join(lines) + "\n").encode()


def _rule(item: Item) -> tuple[int, str, str, str]:
    body = _body(item)
    if body is None:
        return 0, "", "", ""
    label = hashlib.sha256(item.value.encode()).hexdigest()[:12]
    msg = f'msg:"SHIELDWALL block {item.kind.value} {label}"'
    options = f"{msg}; {body[1]}{' ' if body[1] else ''}classtype:policy-violation;"
    sid, head, tail = _sid(item), f"{body[0]} ({options} sid:", "; rev:1;)"
    return sid, f"{head}{sid}{tail}", head, tail


def _body(item: Item) -> tuple[str, str] | None:
    if item.kind is MeasureKind.IP:
        return f"alert ip $HOME_NET any -> [{item.value}] any", ""
    if item.kind is MeasureKind.DOMAIN:
        options = f'dns.query; dotprefix; content:"{_content("." + item.value)}"; endswith; nocase;'
        return "alert dns $HOME_NET any -> any any", options
    if item.kind is MeasureKind.URL:
        host, path = url_parts(item.value)
        options = (
            f'flow:established,to_server; http.host; content:"{_content(host.strip("[]"))}"; '
            f'nocase; endswith; http.uri; content:"{_content(path)}"; startswith;'
        )
        return "alert http $HOME_NET any -> $EXTERNAL_NET any", options
    return None


def _content(text: str) -> str:
    """A ``content`` string: printable ASCII as is, every other byte as ``|hh|``."""
    out: list[str] = []
    for byte in text.encode():
        out.append(chr(byte) if byte in _SAFE else f"|{byte:02x}|")
    return "".join(out).replace("||", " ")


def _sid(item: Item) -> int:
    """The item's own signature id (the writer moves it past ids taken before it)."""
    digest = hashlib.sha256(f"{item.kind.value}:{item.value}".encode()).digest()
    return SID_BASE + int.from_bytes(digest[:8], "big") % SID_SPAN
