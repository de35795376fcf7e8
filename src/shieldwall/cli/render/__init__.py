"""What ``shieldwall scan`` shows a person on the terminal: the progress bar and the summary.

Drawing for people lives here, apart from the scan application that computes the results
(as volatility3 keeps renderers apart from plugins). Detections themselves, the table
included, are written by the scan's encoders (:mod:`shieldwall.scan`).
"""

from shieldwall.cli.render.summary import render_summary

__all__ = ["render_summary"]
