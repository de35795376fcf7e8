"""Which Sigma logsource an event outside Windows belongs to: the routing table per format.

A Sigma rule names its logsource as ``product``, ``service`` and ``category``; it may only
see events of that logsource (checklist L1). Windows events are routed by Channel and
EventID (:mod:`.logsource`). Every other event is given an :class:`EventSource` here, from
its format and a few of its fields, and a rule reaches it only when each part the rule
names is among the event's (:func:`.logsource.admits`):

- Zeek: product ``zeek``, service the log kind (``dns``, ``rdp``, ...); the generic
  categories as pySigma's Zeek pipeline maps them: ``conn`` is ``firewall``, ``dns`` is
  ``dns``, ``http`` is ``proxy`` and ``webserver``, ``syslog`` is ``accounting``.
- Suricata EVE: product ``suricata``, service the ``event_type``; ``dns`` and ``http``
  records take the same categories as Zeek's, ``flow`` and ``netflow`` are ``firewall``.
- Syslog: a Cisco IOS message (``%FAC-SEV-MNEMONIC``) is product ``cisco``, service
  ``syslog`` and its facility family (``aaa``, ``bgp``, ``ldp``); any other line is product
  ``linux``, services ``syslog``, the program's own (``sshd``, ``sudo``, ``cron`` ...) and
  ``auth`` for the programs that write ``/var/log/auth.log``.
- CEF: products the device product and vendor, lower case without spaces; category
  ``proxy`` for a web request (``request``), ``firewall`` for an action on a connection
  (``act`` and ``dpt``).
- Linux audit (auditd) events: product ``linux``, service ``auditd``.
- Sysmon for Linux: product ``linux``, service ``sysmon``; EventID 1 is category
  ``process_creation``, 3 ``network_connection``, 11 ``file_event`` (Sysmon's own
  numbering, as on Windows).
- JSON: ECS ``event.dataset``/``event.module`` (``aws.cloudtrail`` is product ``aws``,
  service ``cloudtrail``), ``host.os.type``, ECS ``event.category`` for the generic
  categories; raw CloudTrail, Okta, Kubernetes audit and Azure records by their shape.

Whoever knows better can say so: an event's ``extra["logsource"]`` (a mapping of
``product``, ``service``, ``category`` to a name or a list of names, set by the sensor
or the operator for inputs whose shape does not tell) adds to what is read here. An event
that fits none of these reaches only rules that name no logsource at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shieldwall.model.event import Event


@dataclass(frozen=True, slots=True)
class EventSource:
    """The logsource parts an event belongs to, case-folded."""

    products: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()


NOWHERE = EventSource()

NETWORK_CATEGORIES: Mapping[str, frozenset[str]] = {
    "conn": frozenset({"firewall"}),
    "flow": frozenset({"firewall"}),
    "netflow": frozenset({"firewall"}),
    "dns": frozenset({"dns"}),
    "http": frozenset({"proxy", "webserver"}),
    "syslog": frozenset({"accounting"}),
}
"""Zeek log kinds and EVE event types that are a generic Sigma category."""

AUTH_PROGRAMS = frozenset(
    {"sshd", "sudo", "su", "login", "systemd-logind", "passwd", "chpasswd", "useradd",
     "userdel", "usermod", "groupadd", "groupdel", "gpasswd", "pam", "polkitd", "chage"}
)  # fmt: skip
"""Programs whose messages Linux writes to the ``auth`` log."""

PROGRAM_SERVICES: Mapping[str, str] = {
    "cron": "cron",
    "crond": "cron",
    "anacron": "cron",
    "clamd": "clamav",
    "freshclam": "clamav",
    "clamav": "clamav",
    "guacd": "guacamole",
    "guacamole": "guacamole",
    "auditd": "auditd",
    "audispd": "auditd",
    "audisp-syslog": "auditd",
}
"""Programs that log under another service name than their own."""

_CISCO = re.compile(r"%(?P<facility>[A-Z][A-Z0-9_]*)-(?:[A-Z0-9_]+-)?[0-7]-[A-Z0-9_]+")
_CISCO_SERVICES = ("aaa", "bgp", "ldp")


def event_source(event: Event) -> EventSource:
    """The event's logsource parts (an event of a Windows channel is not asked)."""
    reader = _BY_FORMAT.get(event.format)
    found = reader(event.fields) if reader is not None else NOWHERE
    declared = event.extra.get("logsource") if event.extra else None
    return _with_declared(found, declared) if isinstance(declared, Mapping) else found


def _with_declared(found: EventSource, declared: Mapping[str, Any]) -> EventSource:
    return EventSource(
        found.products | _values(declared.get("product")),
        found.services | _values(declared.get("service")),
        found.categories | _values(declared.get("category")),
    )


def _network(product: str, kind: Any) -> EventSource:
    if not isinstance(kind, str) or not kind:
        return EventSource(frozenset({product}))
    kind = kind.casefold()
    return EventSource(
        frozenset({product}), frozenset({kind}), NETWORK_CATEGORIES.get(kind, frozenset())
    )


def _zeek(fields: Mapping[str, Any]) -> EventSource:
    dataset = fields.get("event.dataset")
    kind = dataset.removeprefix("zeek.") if isinstance(dataset, str) else fields.get("_path")
    return _network("zeek", kind)


def _suricata(fields: Mapping[str, Any]) -> EventSource:
    return _network("suricata", fields.get("event_type"))


def _syslog(fields: Mapping[str, Any]) -> EventSource:
    message = fields.get("message")
    cisco = _CISCO.search(message) if isinstance(message, str) else None
    if cisco is not None:
        facility = cisco["facility"].casefold()
        services = {"syslog", *(s for s in _CISCO_SERVICES if facility.startswith(s))}
        return EventSource(frozenset({"cisco"}), frozenset(services))
    program = fields.get("process.name")
    services = {"syslog"}
    if isinstance(program, str) and program:
        name = program.casefold()
        services.add(PROGRAM_SERVICES.get(name, name))
        if name in AUTH_PROGRAMS:
            services.add("auth")
    return EventSource(frozenset({"linux"}), frozenset(services))


def _cef(fields: Mapping[str, Any]) -> EventSource:
    names = (fields.get("cef.device_product"), fields.get("cef.device_vendor"))
    return EventSource(frozenset(_squeezed(names)), categories=_cef_categories(fields))


def _cef_categories(fields: Mapping[str, Any]) -> frozenset[str]:
    """A web request (``request``) is ``proxy``; a verdict on a connection (``act`` with a
    destination port) is ``firewall``. CEF names no category, so only these two shapes,
    which the generic rules' fields presuppose, are read."""
    if "request" in fields or "requestMethod" in fields:
        return _PROXY
    has_action = "act" in fields or "deviceAction" in fields
    if has_action and ("dpt" in fields or "destinationPort" in fields):
        return _FIREWALL
    return frozenset()


_PROXY = frozenset({"proxy"})
_FIREWALL = frozenset({"firewall"})


def _squeezed(values: Iterable[Any]) -> Iterable[str]:
    return (v.casefold().replace(" ", "") for v in values if isinstance(v, str) and v)


def _json(fields: Mapping[str, Any]) -> EventSource:
    products: set[str] = set()
    services: set[str] = set()
    categories: set[str] = set()
    for shape in _SHAPES:
        found = shape(fields)
        if found is not None:
            products |= found.products
            services |= found.services
            categories |= found.categories
    return EventSource(frozenset(products), frozenset(services), frozenset(categories))


def _ecs_dataset(fields: Mapping[str, Any]) -> EventSource | None:
    dataset, module = fields.get("event.dataset"), fields.get("event.module")
    products: set[str] = set(_squeezed([module]))
    services: set[str] = set()
    if isinstance(dataset, str) and dataset:
        head, _, tail = dataset.casefold().partition(".")
        products.add(head)
        services.update({dataset.casefold(), tail} - {""})
    os_type = fields.get("host.os.type") or fields.get("host.os.family")
    products.update(_OS_PRODUCTS.get(o, o) for o in _squeezed([os_type]))
    categories = set(_ecs_categories(fields))
    if not (products or services or categories):
        return None
    return EventSource(frozenset(products), frozenset(services), frozenset(categories))


_OS_PRODUCTS = {"darwin": "macos", "macos": "macos", "linux": "linux", "windows": "windows"}


def _values(value: Any) -> set[str]:
    items = value if isinstance(value, list) else [value]
    return {item.casefold() for item in items if isinstance(item, str)}


def _ecs_categories(fields: Mapping[str, Any]) -> Iterable[str]:
    category, kind = _values(fields.get("event.category")), _values(fields.get("event.type"))
    if "process" in category and "start" in kind:
        yield "process_creation"
    if "network" in category and kind & {"connection", "start"}:
        yield "network_connection"
    if "file" in category and "creation" in kind:
        yield "file_event"
    if "web" in category:  # ECS has one category for proxy and web server access logs
        yield from ("proxy", "webserver")
    if "dns.question.name" in fields:
        yield "dns"


def _raw_cloud(fields: Mapping[str, Any]) -> EventSource | None:
    if "eventSource" in fields and "eventName" in fields and "awsRegion" in fields:
        return EventSource(frozenset({"aws"}), frozenset({"cloudtrail"}))
    if "eventType" in fields and "actor.id" in fields and "published" in fields:
        return EventSource(frozenset({"okta"}), frozenset({"okta"}))
    if str(fields.get("apiVersion", "")).startswith("audit.k8s.io/"):
        return EventSource(
            frozenset({"kubernetes"}), frozenset({"audit"}), frozenset({"application"})
        )
    azure = _AZURE.get(str(fields.get("category", "")).casefold())
    if azure is not None and "operationName" in fields:
        return EventSource(frozenset({"azure"}), frozenset({azure}))
    return None


def _auditd(fields: Mapping[str, Any]) -> EventSource:
    return AUDITD


AUDITD = EventSource(frozenset({"linux"}), frozenset({"auditd"}))
SYSMON_LINUX_CATEGORIES: Mapping[int, frozenset[str]] = {
    1: frozenset({"process_creation"}),
    3: frozenset({"network_connection"}),
    11: frozenset({"file_event"}),
}
"""Sysmon for Linux EventIDs that are a generic Sigma category."""


def _sysmon_linux(fields: Mapping[str, Any]) -> EventSource:
    event_id = fields.get("EventID")
    categories = (
        SYSMON_LINUX_CATEGORIES.get(event_id, frozenset()) if type(event_id) is int else frozenset()
    )
    return EventSource(frozenset({"linux"}), frozenset({"sysmon"}), categories)


_AZURE = {
    "signinlogs": "signinlogs",
    "auditlogs": "auditlogs",
    "administrative": "activitylogs",
    "riskdetection": "riskdetection",
    "userriskevents": "riskdetection",
}
_SHAPES: tuple[Callable[[Mapping[str, Any]], EventSource | None], ...] = (
    _ecs_dataset,
    _raw_cloud,
)
_BY_FORMAT: Mapping[str, Callable[[Mapping[str, Any]], EventSource]] = {
    "zeek": _zeek,
    "suricata": _suricata,
    "syslog": _syslog,
    "cef": _cef,
    "json": _json,
    "auditd": _auditd,
    "sysmon_linux": _sysmon_linux,
}
