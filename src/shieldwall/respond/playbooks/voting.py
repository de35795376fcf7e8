"""Counting an approval's votes, and finding the members a playbook asks to approve.

One centre lead decides a centre approval. For ``required`` of the named ``members``: it
is approved once ``required`` members said yes, and rejected as soon as the members that
said no leave fewer than ``required`` who still could (so one "no" of a 1-of-1 rejects,
and a 2-of-3 is rejected by the second "no"). Expiry is the runner's, by the clock.
"""

from __future__ import annotations

from shieldwall.model.errors import InputError
from shieldwall.model.playbook import ApprovalRecord, ApprovalStatus
from shieldwall.respond.playbooks.actions import APPROVAL, SHIELDWALL_COMMAND
from shieldwall.respond.playbooks.document import Playbook
from shieldwall.respond.playbooks.validation import arguments


def tally(approval: ApprovalRecord) -> ApprovalStatus:
    """The approval's status after its votes."""
    yes = sum(1 for vote in approval.votes if vote.approve)
    no = sum(1 for vote in approval.votes if not vote.approve)
    voters = max(1, len(approval.members))
    if yes >= approval.required:
        return ApprovalStatus.APPROVED
    if voters - no < approval.required:
        return ApprovalStatus.REJECTED
    return ApprovalStatus.PENDING


def approval_members(playbook: Playbook) -> set[str]:
    """Every member named in one of the playbook's approvals (the run concerns them)."""
    found: set[str] = set()
    for step in playbook.steps.values():
        for command in step.commands:
            if command.get("type") != SHIELDWALL_COMMAND or command.get("command") != APPROVAL:
                continue
            try:
                members = arguments(command).get("members")
            except InputError:
                continue
            if isinstance(members, list):
                found.update(m for m in members if isinstance(m, str))
    return found
