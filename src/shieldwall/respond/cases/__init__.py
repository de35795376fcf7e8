"""Cases: incidents opened for handling, shared between members item by item.

An incident becomes a case (:class:`CaseDesk`) with tasks, observables, evidence files and
comments (:class:`ItemDesk`), each with its own TLP; a timeline of every change; a status
flow with a reason to close; SLA timers by severity; and a shift handover report
(:class:`HandoverDesk`). Who sees what is decided by the sharing gate (``policy.cases``).
"""

from shieldwall.respond.cases.desk import CaseDesk
from shieldwall.respond.cases.evidence import EvidenceLimits
from shieldwall.respond.cases.handover import (
    Escalation,
    HandoverDesk,
    HandoverItem,
    HandoverReport,
    HandoverSource,
)
from shieldwall.respond.cases.items import ItemDesk
from shieldwall.respond.cases.render import case_json, handover_json, item_json, view_json
from shieldwall.respond.cases.sight import CaseView
from shieldwall.respond.cases.sla import DEFAULT_SLA_MINUTES, SlaPolicy
from shieldwall.respond.cases.values import OBSERVABLE_TYPES, tlp_label, tlp_level

__all__ = [
    "DEFAULT_SLA_MINUTES",
    "OBSERVABLE_TYPES",
    "CaseDesk",
    "CaseView",
    "Escalation",
    "EvidenceLimits",
    "HandoverDesk",
    "HandoverItem",
    "HandoverReport",
    "HandoverSource",
    "ItemDesk",
    "SlaPolicy",
    "case_json",
    "handover_json",
    "item_json",
    "tlp_label",
    "tlp_level",
    "view_json",
]
