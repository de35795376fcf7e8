"""What a playbook may make Shieldwall do: the ``Actions`` port and the allowed commands.

A playbook never runs a shell. Its action steps carry commands of two types only:

- ``x-shieldwall``: one of Shieldwall's own actions (:data:`SHIELDWALL_ACTIONS`), named
  in ``command``, its arguments a JSON object in ``content``;
- ``http-api``: an HTTP request (``command`` is ``"POST /path HTTP/1.1"``) to an
  ``http-api`` agent whose URL is one of the operator's configured endpoints, sent through
  the guarded transport (no SSRF) that the runtime wires in.

Each method of :class:`Actions` takes the run's principal (the effect happens in its name,
through the gate) and an idempotency key, unique per run, step and occurrence: a service
that sees a key twice does the effect once. ``approval`` is not a port method: waiting
for approval is the runner's own, durable, work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from shieldwall.model.errors import ShieldwallError
from shieldwall.model.identity import Principal

SHIELDWALL_COMMAND = "x-shieldwall"
HTTP_COMMAND = "http-api"
APPROVAL = "approval"
SHIELDWALL_ACTIONS = frozenset(
    {
        "enrich",
        "case.open",
        "case.update",
        "task.open",
        "indicator.publish",
        "sighting.publish",
        "measure.issue",
        "notify",
        "assistance.request",
        APPROVAL,
    }
)
"""Shieldwall's own actions a playbook may name (``approval`` waits; the rest act)."""
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})

Outputs = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One ``http-api`` command, resolved: method, the full URL, headers, body."""

    endpoint: str
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str = ""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An outside HTTP API the operator allows playbooks to call (by name)."""

    name: str
    url: str

    def covers(self, url: str) -> bool:
        """Same scheme, host and port, and a path under the endpoint's own."""
        mine, theirs = urlsplit(self.url), urlsplit(url)
        if (mine.scheme, mine.hostname, mine.port) != (theirs.scheme, theirs.hostname, theirs.port):
            return False
        if theirs.username or theirs.password or theirs.scheme not in ("https", "http"):
            return False
        base = mine.path.rstrip("/")
        return theirs.path == base or theirs.path.startswith(base + "/") or not base


class Actions(Protocol):
    """Shieldwall's own effects, one method per action kind (wired in ``runtime/``)."""

    def enrich(self, who: Principal, key: str, args: Mapping[str, Any]) -> Outputs: ...
    def open_case(self, who: Principal, key: str, args: Mapping[str, Any]) -> Outputs: ...
    def update_case(self, who: Principal, key: str, args: Mapping[str, Any]) -> Outputs: ...
    def open_task(self, who: Principal, key: str, args: Mapping[str, Any]) -> Outputs: ...
    def publish_indicator(self, who: Principal, key: str, args: Mapping[str, Any]) -> Outputs: ...
    def publish_sighting(self, who: Principal, key: str, args: Mapping[str, Any]) -> Outputs: ...
    def issue_measure(self, who: Principal, key: str, args: Mapping[str, Any]) -> Outputs: ...
    def notify(self, who: Principal, key: str, args: Mapping[str, Any]) -> Outputs: ...
    def request_assistance(self, who: Principal, key: str, args: Mapping[str, Any]) -> Outputs: ...
    def http_api(self, who: Principal, key: str, request: HttpRequest) -> Outputs: ...


METHOD_OF: dict[str, str] = {
    "enrich": "enrich",
    "case.open": "open_case",
    "case.update": "update_case",
    "task.open": "open_task",
    "indicator.publish": "publish_indicator",
    "sighting.publish": "publish_sighting",
    "measure.issue": "issue_measure",
    "notify": "notify",
    "assistance.request": "request_assistance",
}
"""A command's action name → the port method that carries it out."""


class ActionFailedError(ShieldwallError):
    """An action did not succeed; the step takes its ``on_failure`` path.

    Raised by port implementations; it never reaches a caller: the runner records it in
    the journal and follows the playbook's failure path.
    """


def call(actions: Actions, name: str, who: Principal, key: str, args: Mapping[str, Any]) -> Outputs:
    """Carry out one of Shieldwall's own actions through the port."""
    method = getattr(actions, METHOD_OF[name])
    result: Outputs = method(who, key, args)
    return result


def http_request_line(command: str) -> tuple[str, str] | None:
    """``"POST /path HTTP/1.1"`` → ``("POST", "/path")``; None when it is not one."""
    parts = command.split()
    if len(parts) not in (2, 3) or parts[0] not in HTTP_METHODS or not parts[1].startswith("/"):
        return None
    if len(parts) == 3 and not parts[2].startswith("HTTP/"):
        return None
    return parts[0], parts[1]


def agent_url(agent: Mapping[str, Any]) -> str | None:
    """The URL an ``http-api`` agent names (``address.url`` in 2.0; ``http_url`` in drafts)."""
    address = agent.get("address")
    if isinstance(address, Mapping):
        urls = address.get("url")
        if isinstance(urls, list) and urls and isinstance(urls[0], str):
            return urls[0]
    value = agent.get("http_url")
    return value if isinstance(value, str) else None


def endpoint_for(url: str, endpoints: Sequence[Endpoint]) -> Endpoint | None:
    """The configured endpoint covering ``url``, if any."""
    return next((endpoint for endpoint in endpoints if endpoint.covers(url)), None)
