"""Respond together: cases, playbooks, protective measures, notifications, requests for help.

The application that turns the live pipeline's incidents into collective action. Like the
other applications it reaches the database only through the store's protocols, and every
item it reads, writes, issues or sends passes the sharing gate (:mod:`shieldwall.policy`).
Front ends import only the names this module exports.
"""

from __future__ import annotations

from shieldwall.respond.cases import (  # cases (issue 11)
    DEFAULT_SLA_MINUTES,
    OBSERVABLE_TYPES,
    CaseDesk,
    CaseView,
    Escalation,
    EvidenceLimits,
    HandoverDesk,
    HandoverItem,
    HandoverReport,
    HandoverSource,
    ItemDesk,
    SlaPolicy,
    case_json,
    handover_json,
    item_json,
    tlp_label,
    tlp_level,
    view_json,
)
from shieldwall.respond.measures import (
    MANIFEST_FILE,
    MEDIA_TYPES,
    IndicatorSource,
    IndicatorTerm,
    IssueOutcome,
    IssueRequest,
    ListBuild,
    MeasureDesk,
    allow_json,
    etag_of,
    measure_json,
    report_json,
    subscription_json,
    verify_manifest,
)
from shieldwall.respond.reports.build import SitrepSources
from shieldwall.respond.reports.content import Sitrep
from shieldwall.respond.reports.desk import RenderedReport, SitrepDesk, SitrepFormat
from shieldwall.respond.reports.sources import (
    AssistanceRequest,
    AssistanceSource,
    IntelItem,
    Measure,
    MeasuresSource,
    PostureReading,
    PostureSource,
    ThreatLevel,
)
from shieldwall.store.audit.signing import Signer as MeasureSigner

__all__: list[str] = [
    "DEFAULT_SLA_MINUTES",
    "MANIFEST_FILE",
    "MEDIA_TYPES",
    "OBSERVABLE_TYPES",
    "AssistanceRequest",
    "AssistanceSource",
    "CaseDesk",
    "CaseView",
    "Escalation",
    "EvidenceLimits",
    "HandoverDesk",
    "HandoverItem",
    "HandoverReport",
    "HandoverSource",
    "IndicatorSource",
    "IndicatorTerm",
    "IntelItem",
    "IssueOutcome",
    "IssueRequest",
    "ItemDesk",
    "ListBuild",
    "Measure",
    "MeasureDesk",
    "MeasureSigner",
    "MeasuresSource",
    "PostureReading",
    "PostureSource",
    "RenderedReport",
    "Sitrep",
    "SitrepDesk",
    "SitrepFormat",
    "SitrepSources",
    "SlaPolicy",
    "ThreatLevel",
    "allow_json",
    "case_json",
    "etag_of",
    "handover_json",
    "item_json",
    "measure_json",
    "report_json",
    "subscription_json",
    "tlp_label",
    "tlp_level",
    "verify_manifest",
    "view_json",
]
