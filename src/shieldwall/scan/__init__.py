"""The edge scanner: ``shieldwall scan`` as an application, like Hayabusa or Zircolite.

A member runs it over its own log files: the ingest readers turn files into raw records,
the normalisers into events, the detect engine matches the Sigma rules (correlations
included), and this package finishes each detection (ATT&CK names), encodes it (JSONL, CSV
or a table) and sums the run up. It owns everything between the stages and the terminal:
the pipeline, the ``--jobs`` worker processes and the frames they send, the encoders and
the summary. The live pipeline of the centre reuses the same stages, not this package.
"""

from shieldwall.detect.attack import AttackCatalogue, install_bundle, load_catalogue
from shieldwall.detect.sigma.selection import RuleSelection
from shieldwall.scan.encoders import DetectionEncoder, encoder_for
from shieldwall.scan.run import ScanRun, default_jobs, scan
from shieldwall.scan.summary import ScanProgress, ScanSummary
from shieldwall.scan.table import FORMATS, OutputFormat, TableWriter

__all__ = [
    "FORMATS",
    "AttackCatalogue",
    "DetectionEncoder",
    "OutputFormat",
    "RuleSelection",
    "ScanProgress",
    "ScanRun",
    "ScanSummary",
    "TableWriter",
    "default_jobs",
    "encoder_for",
    "install_bundle",
    "load_catalogue",
    "scan",
]
