"""Respond together: cases, playbooks, protective measures, notifications, requests for help.

The application that turns the live pipeline's incidents into collective action. Like the
other applications it reaches the database only through the store's protocols, and every
item it reads, writes, issues or sends passes the sharing gate (:mod:`shieldwall.policy`).
Front ends import only the names this module exports.
"""

from __future__ import annotations

from shieldwall.respond.assist import (
    AssistanceFeed,
    AssistDesk,
    AssistView,
    HelpWanted,
    offer_json,
)
from shieldwall.respond.assist import request_json as assist_request_json
from shieldwall.respond.assist import view_json as assist_view_json
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
from shieldwall.respond.notify import (
    ChannelRequest,
    DeliveryWorker,
    EmailSender,
    NotificationDesk,
    Receipt,
    SmtpRelay,
    WebhookSender,
    channel_json,
    delivery_json,
)
from shieldwall.respond.notify import verify as verify_webhook_signature
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
    "AssistDesk",
    "AssistView",
    "AssistanceFeed",
    "AssistanceRequest",
    "AssistanceSource",
    "CaseDesk",
    "CaseView",
    "ChannelRequest",
    "DeliveryWorker",
    "EmailSender",
    "Escalation",
    "EvidenceLimits",
    "HandoverDesk",
    "HandoverItem",
    "HandoverReport",
    "HandoverSource",
    "HelpWanted",
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
    "NotificationDesk",
    "PostureReading",
    "PostureSource",
    "Receipt",
    "RenderedReport",
    "Sitrep",
    "SitrepDesk",
    "SitrepFormat",
    "SitrepSources",
    "SlaPolicy",
    "SmtpRelay",
    "ThreatLevel",
    "WebhookSender",
    "allow_json",
    "assist_request_json",
    "assist_view_json",
    "case_json",
    "channel_json",
    "delivery_json",
    "etag_of",
    "handover_json",
    "item_json",
    "measure_json",
    "offer_json",
    "report_json",
    "subscription_json",
    "tlp_label",
    "tlp_level",
    "verify_manifest",
    "verify_webhook_signature",
    "view_json",
]
