"""Hostile values and a fixed list of items every format test builds from."""

from __future__ import annotations

from datetime import UTC, datetime

from shieldwall.model.measures import MeasureKind
from shieldwall.respond.measures.formats import BuildContext
from shieldwall.respond.measures.items import Item
from shieldwall.respond.measures.values import normalise

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
CONTEXT = BuildContext("alpha", "default", 7, T0)
RAW = [
    (MeasureKind.IP, "198.51.100.7"),
    (MeasureKind.IP, "203.0.113.0/24"),
    (MeasureKind.IP, "203.0.113.128/25"),
    (MeasureKind.IP, "2001:db8::/32"),
    (MeasureKind.IP, "2001:db8:0:0:1::5"),
    (MeasureKind.DOMAIN, "Evil.Example."),
    (MeasureKind.DOMAIN, "a_b.xn--bcher-kva.example"),
    (MeasureKind.URL, "https://evil.example:8443/a;b?c=d&e='x'"),
    (MeasureKind.URL, "http://[2001:db8::1]/x"),
    (MeasureKind.URL, "http://198.51.100.9/dl/payload.exe?q=1;2"),
    (MeasureKind.SHA256, "A" * 64),
    (MeasureKind.SHA1, "b" * 40),
    (MeasureKind.MD5, "c" * 32),
]
ITEMS = [
    Item(
        kind, normalise(kind, value), f"measure-{n}", 'reason; with "quotes"\nand a newline', 80, T0
    )
    for n, (kind, value) in enumerate(RAW)
]
INJECTIONS = ["\n", "\r", '"', ";", " ", "\t", "\\", "|", "'", "\x00", "{", "}", "$", "(", "`", "%"]
