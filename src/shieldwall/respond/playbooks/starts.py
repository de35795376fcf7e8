"""Starting runs: by hand, by a matching event, by a schedule; each start key once.

The store's unique ``start_key`` makes a start idempotent: an event offered twice, two
replicas seeing the same schedule slot, find the run already started and return it. A
run concerns the organisation it acts for, the playbook's owner and every member named in
one of its approvals (they see it through the gate). A triggered run acts for the
playbook itself, as an analyst of the organisation that owns it, and a member's playbook
starts only on that member's own events (:func:`shieldwall.policy.playbooks.may_trigger`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall.model.audit import AuditRecord
from shieldwall.model.errors import NotFoundError
from shieldwall.model.identity import Principal, Role
from shieldwall.model.playbook import NewRun, PlaybookRecord, RunRecord
from shieldwall.policy.playbooks import may_trigger
from shieldwall.respond.playbooks.engine import playbook_of
from shieldwall.respond.playbooks.runner import Runner, principal_json
from shieldwall.respond.playbooks.triggers import matches, schedule_slots
from shieldwall.respond.playbooks.voting import approval_members


def start_run(
    runner: Runner,
    record: PlaybookRecord,
    who: Principal,
    variables: Mapping[str, Any],
    key: str,
    trigger: dict[str, Any],
) -> RunRecord:
    """Start (once per key) and advance a run; the run as it stands."""
    members = approval_members(playbook_of(record.document))
    concerns = tuple(sorted({who.org_id, record.org_id, *members}))
    new = NewRun(
        record.org_id,
        record.id,
        key[:300],
        who.org_id,
        concerns,
        principal_json(who),
        trigger,
        dict(variables),
    )
    with runner.store.transaction() as tx:
        run, created = tx.playbooks.start(new)
        if created:
            tx.audit.append(
                AuditRecord(
                    who.person_id, who.org_id, "playbook.run.start", "playbook-run", str(run.id)
                )
            )
    return runner.advance(run.id) if created else run


def summary(subject: Mapping[str, Any]) -> str:
    """A line about the event that starts a run (what approvers are told of it)."""
    parts = [
        str(subject[name])
        for name in ("title", "name", "severity", "org_id")
        if isinstance(subject.get(name), str | int) and str(subject[name])
    ]
    return " · ".join(parts)[:300]


def event_starts(runner: Runner, kind: str, subject: Mapping[str, Any]) -> list[RunRecord]:
    """The runs of every playbook whose trigger matches an event about ``subject``."""
    with runner.store.reading() as tx:
        records = tx.playbooks.list(None)
    started: list[RunRecord] = []
    for record in records:
        if not any(matches(t, kind, subject) for t in record.triggers):
            continue
        acting = owner(runner, record)
        if not may_trigger(acting, subject.get("org_id")):
            continue  # another member's event: its playbooks never learn of it
        key = f"{kind}:{subject.get('id')}:{record.id}"
        trigger = {"kind": kind, "id": str(subject.get("id")), "summary": summary(subject)}
        variables = externals(record, subject)
        started.append(start_run(runner, record, acting, variables, key, trigger))
    return started


def scheduled_starts(runner: Runner) -> list[RunRecord]:
    """The runs of every scheduled playbook for its current slot."""
    with runner.store.reading() as tx:
        records = tx.playbooks.list(None)
    started: list[RunRecord] = []
    for record in records:
        for slot in schedule_slots(record.triggers, runner.clock()):
            key = f"schedule:{slot}:{record.id}"
            trigger = {"kind": "schedule", "slot": slot}
            started.append(start_run(runner, record, owner(runner, record), {}, key, trigger))
    return started


def owner(runner: Runner, record: PlaybookRecord) -> Principal:
    """Who a triggered run acts for: the playbook itself, in its owner organisation.

    Only a lead (or an admin) may import or change a playbook (``playbook.manage``), so a
    run nobody started by hand acts with a lead's rights in that organisation — enough to
    issue a measure or a notification its lead put in the playbook, never an admin's, and
    still through the gate and the playbook's own approval steps."""
    with runner.store.reading() as tx:
        org = tx.organisations.get(record.org_id)
    if org is None:
        raise NotFoundError(f"organisation {record.org_id} not found")
    return Principal(f"playbook:{record.id}"[:64], org.id, Role.LEAD, org.kind)


def externals(record: PlaybookRecord, subject: Mapping[str, Any]) -> dict[str, Any]:
    """Values for the playbook's ``external`` variables, from the subject's fields."""
    found: dict[str, Any] = {}
    for name, variable in playbook_of(record.document).variables.items():
        field_name = name.strip("_")
        if isinstance(variable, Mapping) and variable.get("external") and field_name in subject:
            found[name] = subject[field_name]
    return found
