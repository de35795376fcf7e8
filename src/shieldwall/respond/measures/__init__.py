"""Protective measures for every member: from indicators and issued blocks to the lists,
rules and zones members' controls consume, through the gate, versioned and signed.

Front door: :class:`MeasureDesk`. Inside: ``values`` admits values, ``sources`` turns
indicators and issued measures into items, ``allow`` applies allow-lists, ``formats/``
writes each format, ``build``/``publish`` make a version and ``manifest`` signs it.
"""

from shieldwall.respond.measures.build import ListBuild, etag_of
from shieldwall.respond.measures.desk import MeasureDesk
from shieldwall.respond.measures.formats import WRITERS
from shieldwall.respond.measures.issue import IssueOutcome, IssueRequest
from shieldwall.respond.measures.manifest import MANIFEST_FILE, verify_manifest
from shieldwall.respond.measures.sources import IndicatorSource, IndicatorTerm
from shieldwall.respond.measures.views import (
    allow_json,
    measure_json,
    report_json,
    subscription_json,
)

MEDIA_TYPES = {fmt: spec.media_type for fmt, spec in WRITERS.items()}
"""The media type each format is served as."""

__all__ = [
    "MANIFEST_FILE",
    "MEDIA_TYPES",
    "IndicatorSource",
    "IndicatorTerm",
    "IssueOutcome",
    "IssueRequest",
    "ListBuild",
    "MeasureDesk",
    "allow_json",
    "etag_of",
    "measure_json",
    "report_json",
    "subscription_json",
    "verify_manifest",
]
