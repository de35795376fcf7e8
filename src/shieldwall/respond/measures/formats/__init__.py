"""One writer per format members' controls consume, behind one registry.

Each writer is a function ``(items, context) -> bytes`` over normalised, de-duplicated
items (:mod:`..values` has already refused anything that could break out of a value), so
a writer only lays values into its syntax. :data:`WRITERS` maps each
:class:`~shieldwall.model.measures.MeasureFormat` to its writer and file name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from shieldwall.model.measures import MeasureFormat
from shieldwall.respond.measures.formats.context import BuildContext
from shieldwall.respond.measures.formats.lists import write_csv, write_plain
from shieldwall.respond.measures.formats.nftables import write_nftables
from shieldwall.respond.measures.formats.rpz import write_rpz
from shieldwall.respond.measures.formats.sigma import write_sigma
from shieldwall.respond.measures.formats.stix import write_stix
from shieldwall.respond.measures.formats.suricata import write_suricata
from shieldwall.respond.measures.formats.zeek import write_zeek
from shieldwall.respond.measures.items import Item

Writer = Callable[[Sequence[Item], BuildContext], bytes]


@dataclass(frozen=True, slots=True)
class FormatSpec:
    """A format's writer, the file it is written to, and its media type."""

    write: Writer
    file_name: str
    media_type: str


WRITERS: dict[MeasureFormat, FormatSpec] = {
    MeasureFormat.PLAIN: FormatSpec(write_plain, "measures.txt", "text/plain"),
    MeasureFormat.CSV: FormatSpec(write_csv, "measures.csv", "text/csv"),
    MeasureFormat.STIX: FormatSpec(write_stix, "measures.stix.json", "application/stix+json"),
    MeasureFormat.SURICATA: FormatSpec(write_suricata, "measures.rules", "text/plain"),
    MeasureFormat.NFTABLES: FormatSpec(write_nftables, "measures.nft", "text/plain"),
    MeasureFormat.RPZ: FormatSpec(write_rpz, "measures.rpz.zone", "text/dns"),
    MeasureFormat.ZEEK: FormatSpec(write_zeek, "measures.zeek.intel", "text/tab-separated-values"),
    MeasureFormat.SIGMA: FormatSpec(write_sigma, "measures.sigma.yml", "application/yaml"),
}

__all__ = ["WRITERS", "BuildContext", "FormatSpec", "Writer"]
