"""Ingest: find log files and read them into raw records, one module per source format.

The public API is two functions (the seam with the stages after it, see ``docs/formats.md``):

- :func:`discover_files` expands files and directories into a sorted list of files;
- :func:`iter_records` reads one file (plain or gzip) into :class:`RawRecord` objects, the
  format detected from the content unless forced.

Readers decode syntax only (EVTX binary XML, JSON, Zeek TSV columns, text lines); naming the
fields is the job of :mod:`shieldwall.normalise`. A corrupt record is reported through
``on_problem`` and reading goes on; an unreadable file is reported once.
"""

from shieldwall.ingest.discover import discover_files
from shieldwall.ingest.records import iter_records

__all__ = ["discover_files", "iter_records"]
