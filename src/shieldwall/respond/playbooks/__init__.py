"""CACAO 2.0 playbooks: import, export, validation, durable runs and approvals (issue 11).

:mod:`.codec` reads and writes playbooks (:mod:`.reading` under budgets, :mod:`.structure`
for the specification, :mod:`.validation` for Shieldwall's own rules); :mod:`.engine`
walks a workflow, :mod:`.steps` carries out commands through the :class:`Actions` port,
:mod:`.runner` keeps runs durable, :mod:`.desk` is the front through the gate;
:mod:`.signatures` signs playbooks and checks their CACAO (JSS) signatures.
"""

from shieldwall.respond.playbooks.actions import (
    SHIELDWALL_ACTIONS,
    ActionFailedError,
    Actions,
    Endpoint,
    HttpRequest,
)
from shieldwall.respond.playbooks.codec import (
    export_playbook,
    load_playbook,
    problems_of,
    sign_text,
)
from shieldwall.respond.playbooks.desk import DryRun, PlaybookDesk, RunView
from shieldwall.respond.playbooks.document import Playbook
from shieldwall.respond.playbooks.limits import PlaybookLimits
from shieldwall.respond.playbooks.problems import PlaybookRefusedError, Problem
from shieldwall.respond.playbooks.runner import Runner
from shieldwall.respond.playbooks.signatures import (
    SignaturePolicy,
    check_signatures,
    sign_playbook,
    trusted_key,
)
from shieldwall.respond.playbooks.views import (
    approval_json,
    entry_json,
    playbook_json,
    problem_json,
    run_json,
)

__all__ = [
    "SHIELDWALL_ACTIONS",
    "ActionFailedError",
    "Actions",
    "DryRun",
    "Endpoint",
    "HttpRequest",
    "Playbook",
    "PlaybookDesk",
    "PlaybookLimits",
    "PlaybookRefusedError",
    "Problem",
    "RunView",
    "Runner",
    "SignaturePolicy",
    "approval_json",
    "check_signatures",
    "entry_json",
    "export_playbook",
    "load_playbook",
    "playbook_json",
    "problem_json",
    "problems_of",
    "run_json",
    "sign_playbook",
    "sign_text",
    "trusted_key",
]
