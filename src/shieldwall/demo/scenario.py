"""The demo's story, step by step, each step checked against what the system really did.

The scenario only feeds the doors a member uses (a sensor's ingest, an analyst's TAXII
publication) and then reads through the gate what the pipeline made of it; every step
waits, within a time limit, for its evidence and says where a person can see it. A step
whose evidence does not come fails the demo with the step's name.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from shieldwall import share
from shieldwall.demo import intel
from shieldwall.demo.campaign import (
    C2_ADDRESS,
    C2_DOMAIN,
    CampaignPlan,
    Stage,
    campaign_records,
    noise_records,
)
from shieldwall.demo.coalition import COALITION
from shieldwall.demo.response import Response
from shieldwall.demo.setup import Coalition, create_coalition
from shieldwall.model.errors import ShieldwallError
from shieldwall.model.identity import Principal
from shieldwall.runtime import Services


class DemoStepFailedError(ShieldwallError):
    """A step of the demo did not happen within its time (the message names the step)."""


@dataclass(frozen=True)
class StepReport:
    """What one step showed, how long it took, and where a person sees it."""

    name: str
    detail: str
    where: str
    seconds: float


Say = Callable[[StepReport], None]


@dataclass
class Scenario:
    """The campaign through the real pipeline; the workers run beside it (see :meth:`run`)."""

    services: Services
    plan: CampaignPlan = field(default_factory=lambda: CampaignPlan(datetime.now(UTC)))
    timeout: float = 60.0
    noise_per_member: int = 400
    coalition: Coalition = field(default_factory=Coalition)
    reports: list[StepReport] = field(default_factory=list)
    waiting_run: int | None = None  # the run left waiting for a person's approval

    def run(self, say: Say) -> list[StepReport]:
        """Every step in order; DemoStepFailedError names the first that did not happen."""
        for name, step in (
            ("coalition", self._coalition),
            ("telemetry", self._telemetry),
            ("detection", self._detection),
            ("incidents", self._incidents),
            ("indicator shared", self._indicator),
            ("watchlist hits", self._watchlist_hits),
            ("campaign", self._campaign),
            ("playbook approved", self._playbook),
            ("measures everywhere", self._measures),
            ("situation report", self._sitrep),
            ("approval waiting", self._waiting),
        ):
            started = time.perf_counter()
            detail, where = step()
            report = StepReport(name, detail, where, time.perf_counter() - started)
            self.reports.append(report)
            say(report)
        return self.reports

    # --- the steps -----------------------------------------------------------------------

    def _coalition(self) -> tuple[str, str]:
        self.coalition = create_coalition(self.services)
        people = len(self.coalition.people)
        return f"{len(COALITION)} organisations, {people} people, a sensor each", "Members page"

    def _telemetry(self) -> tuple[str, str]:
        before = [(o, r) for o, s, r in campaign_records(self.plan) if s is not Stage.C2]
        sent = self._stream(before, noise=True)
        return f"{sent} records from {len(COALITION)} members' sensors", "POST /api/v1/ingest"

    def _detection(self) -> tuple[str, str]:
        expected = {org: self._expected_titles(org) for org in self._hit_by_sigma()}
        found = self._wait("detection", lambda: self._titles_missing(expected))
        return f"{found} alerts at {', '.join(sorted(expected))}", "Overview, alerts"

    def _incidents(self) -> tuple[str, str]:
        members = self._hit_by_sigma()

        def missing() -> str:
            centre = self._centre()
            have = {i.org_id for i in self.services.incidents.page(centre, limit=500)}
            lacking = sorted(set(members) - have)
            return f"no incident yet at {', '.join(lacking)}" if lacking else ""

        self._wait("incidents", missing)
        count = len(self.services.incidents.page(self._centre(), limit=500))
        return f"{count} incidents at {', '.join(sorted(members))}", "Incidents page"

    def _indicator(self) -> tuple[str, str]:
        """The first member hit shares the C2 infrastructure with every other member under
        TLP:AMBER (addressed to each, as ``shieldwall intel import --to`` does)."""
        author = self.plan.full_chain[0]
        objects = [
            intel.indicator(f"[domain-name:value = '{C2_DOMAIN}']", f"C2 domain {C2_DOMAIN}"),
            intel.indicator(f"[ipv4-addr:value = '{C2_ADDRESS}']", f"C2 address {C2_ADDRESS}"),
        ]
        others = frozenset(m.org_id for m in COALITION if m.org_id != author)
        to = share.Addressing(recipient_org_ids=others)
        why = intel.publish(self.services, author, objects, to, "indicators")
        if why:
            raise DemoStepFailedError(f"indicator shared: {why}")
        return (
            f"{author} shared the C2 domain and address under TLP:AMBER with {len(others)} members",
            "Intelligence page (search the C2 domain)",
        )

    def _watchlist_hits(self) -> tuple[str, str]:
        time.sleep(2.5)  # a published indicator is watched within 2 s (issue 10)
        c2 = [(o, r) for o, s, r in campaign_records(self.plan) if s is Stage.C2]
        self._stream(c2, noise=False)
        targets = set(self.plan.beacon_only)

        def missing() -> str:
            seen = {a.org_id for a in self._alerts_of(self._centre()) if a.kind == "indicator"}
            lacking = sorted(targets - seen)
            return f"no indicator alert yet at {', '.join(lacking)}" if lacking else ""

        self._wait("watchlist hits", missing)
        return (
            f"the shared indicator matched at {', '.join(sorted(targets))}",
            "Overview, alerts of kind indicator; sightings on the Intelligence page",
        )

    def _campaign(self) -> tuple[str, str]:
        def missing() -> str:
            campaigns = self.services.campaigns.page(self._centre(), limit=100)
            widest = max((len(c.members) for c in campaigns), default=0)
            return "" if widest >= 3 else f"widest campaign links {widest} members"

        self._wait("campaign", missing)
        campaigns = self.services.campaigns.page(self._centre(), limit=100)
        widest = max(campaigns, key=lambda c: len(c.members))
        orgs = sorted({m.org_id for m in widest.members})
        return f"campaign {widest.id} links {', '.join(orgs)}", "Campaigns page"

    def _playbook(self) -> tuple[str, str]:
        response = Response(self.services, self.coalition)
        response.subscribe_everyone()
        done, why = response.playbook()
        if why:
            raise DemoStepFailedError(f"playbook approved: {why}")
        return done, "Approvals page; shieldwall playbooks runs"

    def _measures(self) -> tuple[str, str]:
        response = Response(self.services, self.coalition)
        self._wait("measures everywhere", lambda: _lacking(response.lists_missing()))
        done = f"the C2 domain and address are in all {len(COALITION) - 1} members' lists (signed)"
        return done, "GET /api/v1/measures/lists/default/{format} with a sensor token"

    def _sitrep(self) -> tuple[str, str]:
        reader = "cert-ostland"
        data, marking = Response(self.services, self.coalition).sitrep(reader)
        path = self.services.settings.data_dir / f"sitrep-{reader}.pdf"
        path.write_bytes(data)
        return f"{reader}'s SITREP, {len(data) // 1024} KiB, marked {marking}", str(path)

    def _waiting(self) -> tuple[str, str]:
        """The first member hit tells the duty officer alone (TLP:RED) where the stager is;
        the duty officer starts its block, which waits for a person: a centre lead."""
        tip = intel.red_tip(self.services, self.plan.full_chain[0], self._centre().person_id)
        run, why = (None, tip) if tip else Response(self.services, self.coalition).waiting_block()
        if run is None:
            raise DemoStepFailedError(f"approval waiting: {why}")
        self.waiting_run = run.id
        done = f"a TLP:RED tip; run {run.id}, the block of the stager, waits for a centre lead"
        return done, "waiting for you at /console/approvals (duty@ccdc.example)"

    # --- helpers -------------------------------------------------------------------------

    def _centre(self) -> Principal:
        return self.coalition.first("centre", "lead")

    def _hit_by_sigma(self) -> tuple[str, ...]:
        return (*self.plan.full_chain, *self.plan.phished)

    def _expected_titles(self, org_id: str) -> set[str]:
        chain = {
            "Office Application Starts a Shell or Script Host",
            "Hidden PowerShell With an Encoded Command",
            "PowerShell Download Cradle",
        }
        if org_id in self.plan.full_chain:
            chain |= {"LSASS Memory Dumped Through comsvcs.dll", "PsExec Service Installed"}
        return chain

    def _alerts_of(self, who: Principal) -> list[Any]:
        found: list[Any] = []
        after = 0
        while True:
            page = self.services.alerts.page(who, after=after, limit=500)
            found.extend(page)
            if len(page) < 500:
                return found
            after = page[-1].seq

    def _titles_missing(self, expected: dict[str, set[str]]) -> str:
        alerts = self._alerts_of(self._centre())
        for org_id, titles in expected.items():
            have = {a.rule_title for a in alerts if a.org_id == org_id}
            if not titles <= have:
                return f"{org_id} lacks {', '.join(sorted(titles - have))}"
        return ""

    def _wait(self, step: str, missing: Callable[[], str]) -> int:
        deadline = time.monotonic() + self.timeout
        while True:
            why = missing()
            if not why:
                return len(self._alerts_of(self._centre()))
            if time.monotonic() > deadline:
                raise DemoStepFailedError(f"{step}: {why} after {self.timeout:.0f} s")
            time.sleep(0.25)

    def _stream(self, records: Sequence[tuple[str, dict[str, Any]]], *, noise: bool) -> int:
        by_member: dict[str, list[dict[str, Any]]] = {}
        for org_id, record in records:
            by_member.setdefault(org_id, []).append(record)
        if noise:
            for member in COALITION[1:]:
                quiet = noise_records(member, self.plan.start, self.noise_per_member)
                by_member.setdefault(member.org_id, []).extend(quiet)
        return asyncio.run(self._send(by_member))

    async def _send(self, by_member: dict[str, list[dict[str, Any]]]) -> int:
        sent = 0
        for org_id, records in by_member.items():
            sensor = self.coalition.sensors[org_id]
            for start in range(0, len(records), 200):
                chunk = records[start : start + 200]
                body = b"".join(orjson.dumps(record) + b"\n" for record in chunk)
                report = await self.services.ingest.accept(sensor, body)
                if report.refused:
                    raise DemoStepFailedError(
                        f"telemetry: {org_id}'s records refused: {report.refused[:3]}"
                    )
                sent += report.accepted
        return sent


def _lacking(members: str) -> str:
    return f"not yet in the lists of {members}" if members else ""
