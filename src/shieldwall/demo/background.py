"""Telemetry that keeps flowing after the scenario, so the console's picture stays alive.

Every member's sensor sends its ordinary traffic in small batches, and now and then a host
of an infected member beacons again to the campaign's C2 — which the shared indicator
turns into a live alert on the console. It uses the same ingest door as the scenario.
"""

from __future__ import annotations

import asyncio
import random
import threading
from datetime import UTC, datetime

import orjson

from shieldwall.demo.campaign import C2_ADDRESS, CampaignPlan, noise_records
from shieldwall.demo.coalition import COALITION
from shieldwall.demo.network import zeek_conn
from shieldwall.demo.setup import Coalition
from shieldwall.runtime import Services


class BackgroundTelemetry:
    """A thread that streams the members' traffic until :meth:`stop`."""

    def __init__(
        self, services: Services, coalition: Coalition, plan: CampaignPlan, every: float = 2.0
    ) -> None:
        self._services = services
        self._coalition = coalition
        self._plan = plan
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-telemetry", daemon=True)
        self.sent = 0

    def start(self) -> None:
        """Start streaming."""
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the batch in hand."""
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        rng = random.Random(self._plan.seed)  # noqa: S311 - a story, not a secret
        infected = (*self._plan.full_chain, *self._plan.phished, *self._plan.beacon_only)
        round_number = 0
        while not self._stop.wait(self._every):
            round_number += 1
            now = datetime.now(UTC)
            member = COALITION[1 + round_number % (len(COALITION) - 1)]
            records = list(noise_records(member, now, 40, seed=round_number))
            if infected and round_number % 5 == 0:
                victim = next(
                    m for m in COALITION if m.org_id == infected[rng.randrange(len(infected))]
                )
                host = rng.randint(10, 200)
                beacon = zeek_conn(now, victim.address(host), C2_ADDRESS, 443, 1_211, 4_386, 0.8)
                self._send(victim.org_id, [beacon])
            self._send(member.org_id, records)

    def _send(self, org_id: str, records: list[dict[str, object]]) -> None:
        body = b"".join(orjson.dumps(record) + b"\n" for record in records)
        sensor = self._coalition.sensors[org_id]
        try:
            report = asyncio.run(self._services.ingest.accept(sensor, body))
        except Exception:  # noqa: BLE001 - back-pressure or shutdown: skip this round
            return
        self.sent += report.accepted
