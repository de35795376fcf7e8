"""A Zeek Intelligence Framework file (``Intel::read_files``): tab-separated, one value a row.

The value column holds only normalised values (no tab, no newline can be in one); the
free-text description is reduced to printable characters without tabs, and an empty
field is written ``-`` as Zeek expects.
"""

from __future__ import annotations

from collections.abc import Sequence

from shieldwall.model.measures import MeasureKind
from shieldwall.respond.measures.formats.context import BuildContext
from shieldwall.respond.measures.formats.memo import Memo
from shieldwall.respond.measures.items import Item

HEADER = "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n"
_ROWS: Memo[tuple[str, str]] = Memo()
"""Per item: its row before the source column (the member's), and after it."""
_TYPES = {
    MeasureKind.DOMAIN: "Intel::DOMAIN",
    MeasureKind.URL: "Intel::URL",
    MeasureKind.MD5: "Intel::FILE_HASH",
    MeasureKind.SHA1: "Intel::FILE_HASH",
    MeasureKind.SHA256: "Intel::FILE_HASH",
}


def write_zeek(items: Sequence[Item], context: BuildContext) -> bytes:
    """The header, then one row per item (Zeek's URLs carry no scheme)."""
    rows = [HEADER]
    source = f"shieldwall:{context.member}"
    rows.extend([row[0] + source + row[1] for row in _ROWS.pieces(items, _row)])
    return "".join(rows).encode()


def _row(item: Item) -> tuple[str, str]:
    kind, value = _typed(item)
    return f"{value}\t{kind}\t", f"\t{_text(item.reason)}\t-\n"


def _typed(item: Item) -> tuple[str, str]:
    if item.kind is MeasureKind.IP:
        return ("Intel::SUBNET" if "/" in item.value else "Intel::ADDR"), item.value
    if item.kind is MeasureKind.URL:
        return _TYPES[item.kind], item.value.split("://", 1)[1]
    return _TYPES[item.kind], item.value


def _text(text: str) -> str:
    kept = "".join(c if c.isprintable() and c != "\t" else " " for c in text).strip()
    return kept[:200] or "-"
