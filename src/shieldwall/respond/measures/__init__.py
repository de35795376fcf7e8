"""Protective measures for every member: from indicators and issued blocks to the lists,
rules and zones members' controls consume, through the gate, versioned and signed.

Front door: :class:`MeasureDesk`. Inside: ``values`` admits values, ``sources`` turns
indicators and issued measures into items, ``allow`` applies allow-lists, ``formats/``
writes each format, ``build``/``publish`` make a version and ``manifest`` signs it.
"""

from shieldwall.respond.measures.build import ListBuild
from shieldwall.respond.measures.desk import MeasureDesk
from shieldwall.respond.measures.issue import IssueOutcome, IssueRequest
from shieldwall.respond.measures.manifest import MANIFEST_FILE, verify_manifest
from shieldwall.respond.measures.sources import IndicatorSource, IndicatorTerm

__all__ = [
    "MANIFEST_FILE",
    "IndicatorSource",
    "IndicatorTerm",
    "IssueOutcome",
    "IssueRequest",
    "ListBuild",
    "MeasureDesk",
    "verify_manifest",
]
