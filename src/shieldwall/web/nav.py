"""The console's navigation: one entry per page, shown to those who may use the page.

Pages of other areas (posture, cases, approvals, requests for assistance, measures) slot in
by adding one :class:`NavEntry` here and a router in :mod:`shieldwall.web.console`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shieldwall.model.identity import OrgKind, Principal, Role


def _anyone(_who: Principal) -> bool:
    return True


def _administers(who: Principal) -> bool:
    """Centre admins and member leads see the members page (the gate still filters it)."""
    return who.role in (Role.ADMIN, Role.LEAD)


@dataclass(frozen=True, slots=True)
class NavEntry:
    """A page in the navigation bar."""

    path: str
    label: str
    shows: Callable[[Principal], bool] = _anyone


NAV: tuple[NavEntry, ...] = (
    NavEntry("/console", "Overview"),
    NavEntry("/console/incidents", "Incidents"),
    NavEntry("/console/alerts", "Alerts"),
    NavEntry("/console/campaigns", "Campaigns"),
    NavEntry("/console/attack", "ATT&CK"),
    NavEntry("/console/intel", "Intelligence"),
    NavEntry("/console/members", "Members", _administers),
    NavEntry("/console/cases", "Cases"),
    NavEntry("/console/measures", "Measures"),
    NavEntry("/console/sitrep", "SITREP"),
    NavEntry("/console/handover", "Handover"),
    NavEntry("/console/approvals", "Approvals"),
    NavEntry("/console/assistance", "Assistance"),
)


def entries_for(who: Principal) -> list[NavEntry]:
    """The entries this person sees, in order."""
    return [entry for entry in NAV if entry.shows(who)]


def is_centre(who: Principal) -> bool:
    """Whether the person works at the centre (they see every member, as the gate allows)."""
    return who.org_kind is OrgKind.CENTRE
