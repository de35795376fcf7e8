"""Respond together: cases, playbooks, protective measures, notifications, requests for help.

The application that turns the live pipeline's incidents into collective action. Like the
other applications it reaches the database only through the store's protocols, and every
item it reads, writes, issues or sends passes the sharing gate (:mod:`shieldwall.policy`).
Front ends import only the names this module exports.
"""

from __future__ import annotations

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

__all__: list[str] = []
__all__ += [
    "AssistanceRequest",
    "AssistanceSource",
    "IntelItem",
    "Measure",
    "MeasuresSource",
    "PostureReading",
    "PostureSource",
    "RenderedReport",
    "Sitrep",
    "SitrepDesk",
    "SitrepFormat",
    "SitrepSources",
    "ThreatLevel",
]
