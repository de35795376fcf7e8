"""The playbooks' background work: resume, expire, schedule, and start on new events.

At start, every run a stopped process left waiting or running is advanced (those whose
approvals lapsed meanwhile take their failure path). Then, every ``interval`` seconds:
runs with lapsed approvals and runs left running are advanced, scheduled playbooks
whose slot has come start, and alerts and incidents stored since the last pass are
offered to the triggers (``PlaybookDesk.on_event``). A trigger's start key is unique in
the store, so offering an event twice starts one run; events stored while no worker ran
are not offered (the cursor starts at the newest one), which the lead may change by
keeping the cursor in the store.
A failure is logged and never stops the loop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from shieldwall.live import alert_json, incident_json
from shieldwall.model.errors import ShieldwallError
from shieldwall.model.incident import IncidentQuery
from shieldwall.respond import PlaybookDesk
from shieldwall.store.protocols import Store

log = logging.getLogger(__name__)
BATCH = 200


class PlaybookWorker:
    """Runs the playbooks' periodic work in a thread until :meth:`stop`."""

    def __init__(self, desk: PlaybookDesk, store: Store, interval: float = 1.0) -> None:
        self._desk = desk
        self._store = store
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="shieldwall-playbooks", daemon=True)
        self._alerts, self._incidents = self._newest()

    def start(self) -> None:
        """Resume what a stopped process left, then loop in the background."""
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> bool:
        """Ask the loop to stop and wait for it; False when it did not end in time."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        self._safely(self._desk.runner.resume_waiting)
        while not self._stop.wait(self._interval):
            self.tick()

    def tick(self) -> None:
        """One pass: lapsed approvals, schedules, new alerts and incidents."""
        self._safely(self._desk.runner.expire_due)
        self._safely(self._desk.runner.resume_running)
        self._safely(self._desk.due)
        self._safely(self._offer_events)

    def _offer_events(self) -> None:
        with self._store.reading() as tx:
            alerts = tx.alerts.page(None, after=self._alerts, limit=BATCH)
            incidents = tx.incidents.page(
                IncidentQuery(org_ids=None, after=self._incidents, limit=BATCH)
            )
        for alert in alerts:
            self._desk.on_event("alert", {**alert_json(alert), "id": alert.seq})
            self._alerts = alert.seq
        for incident in incidents:
            self._desk.on_event("incident", incident_json(incident))
            self._incidents = incident.id

    def _newest(self) -> tuple[int, int]:
        with self._store.reading() as tx:
            alerts = tx.alerts.page(None, after=0, limit=1)
            last_alert = 0
            while alerts:
                last_alert = alerts[-1].seq
                alerts = tx.alerts.page(None, after=last_alert, limit=10_000)
            incidents = tx.incidents.page(IncidentQuery(org_ids=None, after=0, limit=10_000))
            last_incident = incidents[-1].id if incidents else 0
            while len(incidents) == 10_000:
                incidents = tx.incidents.page(
                    IncidentQuery(org_ids=None, after=last_incident, limit=10_000)
                )
                last_incident = incidents[-1].id if incidents else last_incident
        return last_alert, last_incident

    @staticmethod
    def _safely(work: Callable[[], object]) -> None:
        try:
            work()
        except ShieldwallError as exc:
            log.warning("playbook worker: %s", exc)
