"""The playbooks' ``Actions`` port wired to the services that exist, and the desk.

Real today: ``enrich`` (ATT&CK names from the installed catalogue, intelligence the run's
principal may see through the gate, past alerts it may see), ``publish_sighting`` (the
intelligence desk, through the gate), ``publish_indicator`` (:mod:`.playbook_publish`)
and ``http_api`` (configured endpoints only, over the TAXII client's guarded transport:
public addresses only unless allowed, no redirects, no proxies from the environment; the
idempotency key goes along as ``Idempotency-Key``). Cases, measures, notifications and
requests for assistance go through their own desks (:mod:`.playbook_respond`); a process
opened without them fails those steps, so a run takes its failure path and never
pretends an effect happened.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from shieldwall.config.playbooks import PlaybookEndpoint
from shieldwall.detect.attack.catalogue import load_catalogue
from shieldwall.live import AlertDesk
from shieldwall.model.errors import ConfigError, InputError, ShieldwallError
from shieldwall.model.identity import Principal
from shieldwall.respond import (
    ActionFailedError,
    Endpoint,
    HttpRequest,
    PlaybookDesk,
    Runner,
    SignaturePolicy,
    trusted_key,
)
from shieldwall.runtime import playbook_respond as act
from shieldwall.runtime.playbook_publish import publish_indicator
from shieldwall.runtime.playbook_respond import RespondDesks
from shieldwall.share import IntelDesk, PageRequest, SearchFilters, SightingReport, cursor_codec
from shieldwall.share.taxii_client.guard import GuardedBackend, GuardedTransport
from shieldwall.store.protocols import Store

MAX_RESPONSE = 100_000
PAST_ALERTS = 1000
Args = Mapping[str, Any]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value][:50] if isinstance(value, list) else []


@dataclass
class ServiceActions:
    """The Actions port over this process's store and settings."""

    store: Store
    data_dir: Path
    endpoints: Sequence[PlaybookEndpoint] = ()
    respond: RespondDesks | None = None
    """The desks of cases, measures, notifications and assistance (none: those fail)."""

    def enrich(self, who: Principal, key: str, args: Args) -> Args:
        """ATT&CK names, visible intelligence and past alerts about the values given."""
        catalogue = load_catalogue(self.data_dir)
        techniques = [catalogue.technique(t) for t in _strings(args.get("techniques"))]
        values = _strings(args.get("value")) + _strings(args.get("observables"))
        found: dict[str, Any] = {
            "techniques": [
                {"id": t.id, "name": t.name, "tactics": list(t.tactics)} for t in techniques
            ],
        }
        if values:
            desk = IntelDesk(self.store, cursor_codec(self.data_dir))
            page = desk.search(who, SearchFilters(observables=values), PageRequest(limit=20))
            found["intel"] = [
                obj.get("id") for obj in page.get("objects", []) if isinstance(obj, Mapping)
            ]
            found["past_alerts"] = self._past_alerts(who, set(values))
        return found

    def _past_alerts(self, who: Principal, values: set[str]) -> int:
        alerts = AlertDesk(self.store).page(who, limit=PAST_ALERTS)
        return sum(1 for alert in alerts if values & {str(v) for v in alert.matched.values()})

    def publish_sighting(self, who: Principal, key: str, args: Args) -> Args:
        """A sighting of an object the principal may see, through the intelligence desk."""
        report = SightingReport(
            sighting_of_ref=str(args.get("of", "")),
            count=int(args.get("count", 1)),
            description=str(args.get("description", ""))[:1000],
        )
        try:
            obj = IntelDesk(self.store, cursor_codec(self.data_dir)).report_sighting(who, report)
        except ShieldwallError as exc:
            raise ActionFailedError(str(exc)) from exc
        return {"sighting": obj.get("id")}

    def http_api(self, who: Principal, key: str, request: HttpRequest) -> Args:
        """One request to a configured endpoint; a non-2xx answer is a failure."""
        endpoint = next((e for e in self.endpoints if e.name == request.endpoint), None)
        if endpoint is None:
            raise ActionFailedError(f"no endpoint {request.endpoint}")
        headers = {**request.headers, "Idempotency-Key": key, "User-Agent": "shieldwall-playbooks"}
        if endpoint.token_env:
            headers["Authorization"] = f"Bearer {os.environ.get(endpoint.token_env, '')}"
        backend = GuardedBackend(
            remote=endpoint.name, allow_private=endpoint.allow_private_addresses
        )
        transport = GuardedTransport(backend, httpx.Limits(max_connections=4))
        with httpx.Client(
            transport=transport,
            timeout=endpoint.timeout_seconds,
            follow_redirects=False,
            trust_env=False,
        ) as client:
            try:
                response = client.request(
                    request.method, request.url, headers=headers, content=request.body or None
                )
            except (httpx.HTTPError, ShieldwallError) as exc:
                raise ActionFailedError(f"{endpoint.name}: {type(exc).__name__}") from exc
        if not 200 <= response.status_code < 300:
            raise ActionFailedError(f"{endpoint.name} answered {response.status_code}")
        return {"status": response.status_code, "body": response.text[:MAX_RESPONSE]}

    def _desks(self, what: str) -> RespondDesks:
        if self.respond is None:
            raise ActionFailedError(f"{what} is not available in this process")
        return self.respond

    def open_case(self, who: Principal, key: str, args: Args) -> Args:
        """The incident opened as a case."""
        return act.open_case(self._desks("case.open"), who, key, args)

    def update_case(self, who: Principal, key: str, args: Args) -> Args:
        """A new task in the case: how a playbook moves a case on (status stays human)."""
        return act.open_task(self._desks("case.update"), who, key, args)

    def open_task(self, who: Principal, key: str, args: Args) -> Args:
        """A task in a case."""
        return act.open_task(self._desks("task.open"), who, key, args)

    def publish_indicator(self, who: Principal, key: str, args: Args) -> Args:
        """A STIX indicator produced by the run's organisation, through the gate."""
        result: Args = publish_indicator(self.store, who, key, args)
        return result

    def issue_measure(self, who: Principal, key: str, args: Args) -> Args:
        """A protective measure for every member the gate lets receive it."""
        return act.issue_measure(self._desks("measure.issue"), who, key, args)

    def notify(self, who: Principal, key: str, args: Args) -> Args:
        """A notification to members' channels through the gate."""
        return act.notify(self._desks("notify"), who, key, args)

    def request_assistance(self, who: Principal, key: str, args: Args) -> Args:
        """A request for assistance in the run's organisation's name."""
        return act.request_assistance(self._desks("assistance.request"), who, key, args)


def playbook_desk(
    store: Store,
    data_dir: Path,
    endpoints: Sequence[PlaybookEndpoint],
    respond: RespondDesks | None = None,
    signing: SignaturePolicy | None = None,
) -> PlaybookDesk:
    """The playbook desk of this process: the store, the wired actions, the endpoints,
    which signatures a playbook needs to be imported."""
    actions = ServiceActions(store, data_dir, endpoints, respond)
    allowed = [Endpoint(e.name, e.url) for e in endpoints]
    return PlaybookDesk(Runner(store, actions, allowed, signing=signing or SignaturePolicy()))


def signature_policy(required: bool, signers: Sequence[Path]) -> SignaturePolicy:
    """The settings' signature policy, every trusted signer's key read now (a bad file is
    a configuration error naming it, not a playbook refused later for no clear reason)."""
    keys: set[bytes] = set()
    for path in signers:
        try:
            keys.add(trusted_key(path.read_bytes()))
        except (OSError, InputError) as exc:
            raise ConfigError("playbooks_trusted_signers", f"{path}: {exc}") from exc
    return SignaturePolicy(required=required, trusted=frozenset(keys))
