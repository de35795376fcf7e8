"""The console's routers, in the order they are mounted (one per page; others slot in here)."""

from __future__ import annotations

from fastapi import APIRouter

from shieldwall.web import (
    alerts,
    approvals,
    assistance,
    attack,
    campaigns,
    case_forms,
    cases,
    handover,
    incidents,
    intel,
    intel_files,
    live,
    measures,
    members,
    overview,
    signin,
    static,
)

ROUTERS: tuple[APIRouter, ...] = (
    static.router,
    signin.router,
    overview.router,
    incidents.router,
    alerts.router,
    campaigns.router,
    attack.router,
    intel.router,
    intel_files.router,
    members.router,
    live.router,
    cases.router,
    case_forms.router,
    measures.router,
    handover.router,
    approvals.router,
    assistance.router,
)
