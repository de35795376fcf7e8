"""Output of ``shieldwall scan``: detection writers (JSONL, CSV, table) and the summary.

Formatting lives here, apart from the runtime that computes the results (as volatility3 keeps
renderers apart from plugins): the runtime yields :class:`Detection` objects and a
:class:`ScanSummary`; these modules only turn them into text.
"""

from shieldwall.cli.render.records import detection_record
from shieldwall.cli.render.summary import render_summary
from shieldwall.cli.render.writers import FORMATS, DetectionWriter, open_writer

__all__ = ["FORMATS", "DetectionWriter", "detection_record", "open_writer", "render_summary"]
