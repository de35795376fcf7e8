"""From an incident at one member to a block in every member's list, with 20 members.

Issue 11's speed figure for the response path: the server's playbook worker (the real
thread, polling every second as ``shieldwall up`` runs it) sees a new high incident at
``m01``, starts the centre's playbook, which issues a block measure addressed to every
member; the clock stops when all 20 members' subscribed plain lists, built as their sensors
pull them, carry the value. Two paths:

* *automatic*: the playbook issues the measure at once;
* *approval*: two of three named members must approve first; the clock starts at the
  second approval (the time people take is not the system's).

The incident is opened directly in the store (the fuse stage's output), so the figure is
the response path alone; ``bench/pipeline.py`` measures ingest to incident.

    python bench/respond_path.py [--members 20] [--runs 5] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

from shieldwall import access
from shieldwall.config.settings import load_settings
from shieldwall.model.identity import Organisation, OrgKind, Person, Principal, Role
from shieldwall.model.measures import MeasureFormat, Subscription
from shieldwall.runtime import PlaybookWorker, Services, open_services

CREATED = "2026-12-07T08:00:00.000Z"


def _person(services: Services, org: str, role: Role) -> Principal:
    kind = OrgKind.CENTRE if org == "centre" else OrgKind.NATION
    email = f"{role}-{uuid.uuid4().hex[:8]}@{org}.example"
    person = access.add_person(
        services.store, access.OPERATOR, Person("", org, f"{org} {role}", email, role)
    )
    return Principal(person.id, org, role, kind)


def _step(command: str, nxt: str, **args: Any) -> dict[str, Any]:
    content = orjson.dumps(args).decode()
    return {
        "type": "action",
        "commands": [{"type": "x-shieldwall", "command": command, "content": content}],
        "on_completion": nxt,
    }


def _playbook(value: str, members: list[str], approvers: list[str]) -> dict[str, Any]:
    start, block, end = (f"{k}--{uuid.uuid4()}" for k in ("start", "action", "end"))
    workflow: dict[str, Any] = {
        start: {"type": "start", "on_completion": block},
        block: _step("measure.issue", end, kind="ip", value=value, reason="bench",
                     tlp="amber", members=members, days=1),
        end: {"type": "end"},
    }  # fmt: skip
    if approvers:
        approve = f"action--{uuid.uuid4()}"
        workflow[approve] = _step("approval", block, members=approvers, required=2)
        workflow[approve]["on_success"] = workflow[approve].pop("on_completion")
        workflow[approve]["on_failure"] = end
        workflow[start]["on_completion"] = approve
    return {
        "type": "playbook", "spec_version": "cacao-2.0", "id": f"playbook--{uuid.uuid4()}",
        "name": f"block {value}", "created_by": f"identity--{uuid.uuid4()}",
        "created": CREATED, "modified": CREATED, "workflow_start": start, "workflow": workflow,
    }  # fmt: skip


class Coalition:
    def __init__(self, services: Services, members: int) -> None:
        self.services = services
        self.names = [f"m{n:02d}" for n in range(1, members + 1)]
        store, operator = services.store, access.OPERATOR
        access.add_organisation(store, operator, Organisation("centre", "C", OrgKind.CENTRE, "BE"))
        for name in self.names:
            access.add_organisation(store, operator, Organisation(name, name, OrgKind.NATION, "FR"))
        self.officer = _person(services, "centre", Role.LEAD)
        self.leads = {n: _person(services, n, Role.LEAD) for n in self.names}
        self.sensors = {n: _person(services, n, Role.SENSOR) for n in self.names}
        for name in self.names:
            services.measures.subscribe(self.leads[name], Subscription(name, "default"))

    def everyone_has(self, value: str) -> bool:
        for name in self.names:
            built = self.services.measures.build(
                self.sensors[name], name, "default", MeasureFormat.PLAIN
            )
            if value not in built.files[MeasureFormat.PLAIN].decode():
                return False
        return True

    def wait_for(self, value: str, started: float, limit: float = 60.0) -> float:
        while not self.everyone_has(value):
            if time.perf_counter() - started > limit:
                raise SystemExit(f"{value} not in every list after {limit} s")
            time.sleep(0.05)
        return time.perf_counter() - started


def one_run(coalition: Coalition, number: int, approval: bool) -> float:
    services, desk = coalition.services, coalition.services.playbooks
    value = f"198.51.{100 + approval}.{number + 1}"
    approvers = coalition.names[:3] if approval else []
    book = _playbook(value, coalition.names, approvers)
    triggers = [{"kind": "incident", "match": {"severity": ["high"]}}]
    desk.import_playbook(coalition.officer, orjson.dumps(book), triggers=triggers)
    started = time.perf_counter()
    with services.store.transaction() as tx:
        tx.incidents.open("m01", f"C2 beacon {number}", "high", f"bench:{uuid.uuid4()}")
    if not approval:
        seconds = coalition.wait_for(value, started)
        desk.set_triggers(coalition.officer, str(book["id"]), [])
        return seconds
    while not (pending := desk.pending(coalition.leads["m01"])):  # the run asks for approval
        time.sleep(0.05)
    desk.decide(coalition.leads["m01"], pending[0].id, True)
    started = time.perf_counter()
    desk.decide(coalition.leads["m02"], pending[0].id, True)
    seconds = coalition.wait_for(value, started)
    desk.set_triggers(coalition.officer, str(book["id"]), [])  # the next incident: not this one
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"SHIELDWALL_DATA_DIR": str(Path(tmp) / "data"), "SHIELDWALL_LOG_LEVEL": "WARNING"}
        if args.database_url:
            env["SHIELDWALL_DATABASE_URL"] = args.database_url
        services = open_services(load_settings(env))
        coalition = Coalition(services, args.members)
        worker = PlaybookWorker(services.playbooks, services.store)
        worker.start()
        try:
            for approval in (False, True):
                times = [one_run(coalition, n, approval) for n in range(args.runs)]
                path = "after 2 of 3 approvals" if approval else "automatic"
                print(
                    f"{path:24s} incident -> block in all {args.members} lists: "
                    f"median {statistics.median(times):.2f} s, max {max(times):.2f} s "
                    f"({args.runs} runs)"
                )
        finally:
            worker.stop()
            services.close()


if __name__ == "__main__":
    main()
