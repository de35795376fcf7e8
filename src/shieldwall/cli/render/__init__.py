"""Output of ``shieldwall scan`` for people: the detection table and the summary.

Formatting for people lives here, apart from the runtime that computes the results (as
volatility3 keeps renderers apart from plugins). The machine formats, JSONL and CSV, are
encoded by the runtime (``runtime.scan_output``) so that ``--jobs`` workers can encode in
parallel.
"""

from shieldwall.cli.render.summary import render_summary
from shieldwall.scan.table import FORMATS, OutputFormat, TableWriter

__all__ = ["FORMATS", "OutputFormat", "TableWriter", "render_summary"]
