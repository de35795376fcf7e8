"""Plain (one value a line) and CSV lists: for firewalls, proxies and spreadsheets alike."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from shieldwall.respond.measures.formats.context import BuildContext
from shieldwall.respond.measures.formats.memo import Memo
from shieldwall.respond.measures.items import Item

CSV_COLUMNS = ("kind", "value", "source", "confidence", "valid_until", "reason")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_ROWS: Memo[str] = Memo()


def write_plain(items: Sequence[Item], context: BuildContext) -> bytes:
    """Every value on a line of its own, sorted by kind then value."""
    del context
    return "".join([item.value + "\n" for item in items]).encode()


def write_csv(items: Sequence[Item], context: BuildContext) -> bytes:
    """One row per value; a free-text cell that a spreadsheet would run is quoted with ``'``."""
    del context
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")

    def row_of(item: Item) -> str:
        until = item.valid_until.isoformat() if item.valid_until else ""
        row = (item.kind.value, item.value, item.source, item.confidence, until, item.reason)
        writer.writerow([_cell(str(cell)) for cell in row])
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    rows = _ROWS.pieces(items, row_of)
    return (",".join(CSV_COLUMNS) + "\n" + "".join(rows)).encode()


def _cell(text: str) -> str:
    """CSV injection: a cell starting like a formula is made text."""
    return "'" + text if text.startswith(_FORMULA) else text
