"""The demo's response steps: a playbook with approval, measures everywhere, the SITREP.

After the campaign is found, the centre's duty officer runs a CACAO playbook: two of the
three members hit must approve a coalition-wide block of the C2 domain and address; once
they have, the playbook issues the measures, and every member's subscribed list carries
them at its next pull. The day's situation report for a member not hit closes the story.
A second run, the block of the stager's host and address, is left waiting for a lead of
the centre: the person watching the demo approves it on the console's Approvals page.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import orjson

from shieldwall.demo.campaign import C2_ADDRESS, C2_DOMAIN, STAGER_ADDRESS, STAGER_HOST
from shieldwall.demo.coalition import COALITION
from shieldwall.demo.setup import Coalition
from shieldwall.model.measures import MeasureFormat, Subscription
from shieldwall.model.playbook import RunRecord, RunStatus
from shieldwall.respond import SitrepFormat
from shieldwall.runtime import Services

CREATED = "2026-12-07T08:00:00.000Z"
APPROVERS = ("cert-nordia", "gridco", "milcsirt")
STAGER_BLOCK = "Coalition block of the campaign's stager"


def _action(command: str, **args: Any) -> dict[str, Any]:
    return {
        "type": "action",
        "commands": [
            {"type": "x-shieldwall", "command": command, "content": orjson.dumps(args).decode()}
        ],
    }


def block_playbook(
    name: str = "Coalition block of a campaign's C2",
    domain: str = C2_DOMAIN,
    address: str = C2_ADDRESS,
    approvers: tuple[str, ...] = APPROVERS,
) -> dict[str, Any]:
    """A CACAO 2.0 playbook: 2 of ``approvers`` approve (a lead of the centre when none are
    named), then block ``domain`` and ``address`` for every member."""
    ids = {step: f"{kind}--{uuid.uuid4()}" for step, kind in (
        ("start", "start"), ("approve", "action"), ("domain", "action"), ("address", "action"),
        ("tell", "action"), ("refused", "action"), ("end", "end"), ("failed", "end"),
    )}  # fmt: skip
    everyone = [m.org_id for m in COALITION if m.org_id != "centre"]
    block = {"tlp": "amber", "members": everyone, "days": 30, "reason": name}
    vote = {"members": list(approvers), "required": 2} if approvers else {}
    told = list(approvers) or everyone
    workflow = {
        ids["start"]: {"type": "start", "on_completion": ids["approve"]},
        ids["approve"]: {
            **_action("approval", **vote, expires_in=86_400),
            "on_success": ids["domain"], "on_failure": ids["refused"],
        },
        ids["domain"]: {
            **_action("measure.issue", kind="domain", value=domain, **block),
            "on_completion": ids["address"],
        },
        ids["address"]: {
            **_action("measure.issue", kind="ip", value=address, **block),
            "on_completion": ids["tell"],
        },
        ids["tell"]: {
            **_action("notify", subject=f"{name}: issued", tlp="amber", members=everyone),
            "on_completion": ids["end"],
        },
        ids["refused"]: {
            **_action("notify", subject=f"{name}: not approved", tlp="amber", members=told),
            "on_completion": ids["failed"],
        },
        ids["end"]: {"type": "end"},
        ids["failed"]: {"type": "end"},
    }  # fmt: skip
    return {
        "type": "playbook",
        "spec_version": "cacao-2.0",
        "id": f"playbook--{uuid.uuid4()}",
        "name": name,
        "description": "The approvers agree; then every member blocks the domain and address.",
        "playbook_types": ["mitigation"],
        "created_by": f"identity--{uuid.uuid4()}",
        "created": CREATED,
        "modified": CREATED,
        "workflow_start": ids["start"],
        "workflow": workflow,
    }


@dataclass
class Response:
    """The response steps over the services and the demo coalition."""

    services: Services
    coalition: Coalition

    def subscribe_everyone(self) -> None:
        """Each member's lead subscribes its controls to the default list."""
        for member in COALITION[1:]:
            lead = self.coalition.first(member.org_id, "lead")
            self.services.measures.subscribe(lead, Subscription(member.org_id, "default"))

    def playbook(self) -> tuple[str, str]:
        """The duty officer runs the playbook; two of the three members approve it."""
        officer = self.coalition.first("centre", "lead")
        desk = self.services.playbooks
        document = block_playbook()
        desk.import_playbook(officer, orjson.dumps(document))
        run = desk.run(officer, str(document["id"]))
        if not isinstance(run, RunRecord):
            return "", "the playbook ran dry"
        approvals = desk.journal(officer, run.id).approvals
        if len(approvals) != 1:
            return "", f"the run waits for {len(approvals)} approvals, not 1"
        for org_id in APPROVERS[:2]:
            record = desk.decide(self.coalition.first(org_id, "lead"), approvals[0].id, True)
        if record.status is not RunStatus.SUCCEEDED:
            return "", f"the run ended {record.status.value}"
        return f"2 of 3 members ({', '.join(APPROVERS[:2])}) approved; run {record.id} done", ""

    def waiting_block(self) -> tuple[RunRecord | None, str]:
        """The duty officer starts the block of the stager; it waits for a centre lead."""
        officer = self.coalition.first("centre", "lead")
        desk = self.services.playbooks
        document = block_playbook(STAGER_BLOCK, STAGER_HOST, STAGER_ADDRESS, approvers=())
        desk.import_playbook(officer, orjson.dumps(document))
        run = desk.run(officer, str(document["id"]))
        if not isinstance(run, RunRecord) or run.status is not RunStatus.WAITING:
            return None, f"the run did not wait: {run}"
        approvals = desk.journal(officer, run.id).approvals
        if len(approvals) != 1 or not approvals[0].centre_lead:
            return None, f"the run waits for {approvals}, not one centre lead"
        return run, ""

    def lists_missing(self) -> str:
        """Members whose list lacks the C2 (empty when every member's list has both)."""
        lacking = []
        for member in COALITION[1:]:
            sensor = self.coalition.sensors[member.org_id]
            built = self.services.measures.build(
                sensor, member.org_id, "default", MeasureFormat.PLAIN
            )
            text = built.files[MeasureFormat.PLAIN].decode()
            if C2_ADDRESS not in text or C2_DOMAIN not in text:
                lacking.append(member.org_id)
        return ", ".join(lacking)

    def sitrep(self, org_id: str) -> tuple[bytes, str]:
        """The day's SITREP for a member, as PDF, with its marking."""
        reader = self.coalition.first(org_id, "analyst")
        report = self.services.sitrep.render(reader, org_id, None, SitrepFormat.PDF)
        return report.data, report.marking.label
