"""Windows logsource mapping (checklist L1–L3): ``product/category/service`` → where to look.

A rule's :class:`Route` lists the (Channel, EventID, view) keys of events it can match.
Channel names come from pySigma's Windows pipeline data and EventIDs from its Sysmon
pipeline data, so both stay in step with the reference tools. ``process_creation`` is
also routed to Security 4688 under the ``security_4688`` view, which renames that event's
fields to Sysmon's (``NewProcessName`` → ``Image``, ...), so one compiled rule serves both.

Non-Windows logsources (linux, zeek, cloud, ...) are routed by the parts they name: such a
rule reaches an event outside Windows only when its product, service and category (each
one it names) are among the event's, as :mod:`.sources` reads them per format (L1).
Windows rules see only Windows events. A Windows logsource we cannot map (e.g.
``file_access``, an unknown service) is evaluated on every Windows event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sigma.pipelines.common import windows_logsource_mapping
from sigma.pipelines.sysmon.sysmon import sysmon_generic_logsource_eventid_mapping
from sigma.pipelines.windows.windows import windows_generic_category_channel_mapping
from sigma.rule import SigmaLogSource

from shieldwall.detect.sigma.sources import EventSource

SYSMON = "Microsoft-Windows-Sysmon/Operational"
SECURITY_4688 = "security_4688"
"""The view that shows Security 4688 (process creation) with Sysmon EID 1 field names."""

RouteKey = tuple[str, int | None, str]
"""(case-folded Channel, EventID or None for any, view name or "" for the event as is)."""

EXTRA_SERVICES: dict[str, str] = {
    "iis-configuration": "Microsoft-IIS-Configuration/Operational",
    "smbclient-connectivity": "Microsoft-Windows-SmbClient/Connectivity",
    "smbserver-connectivity": "Microsoft-Windows-SMBServer/Connectivity",
    "ldap": "Microsoft-Windows-LDAP-Client/Debug",
}
REAL_CHANNELS: dict[str, tuple[str, ...]] = {
    "dns-client": ("Microsoft-Windows-DNS-Client/Operational",),
    "dns-server-analytic": ("Microsoft-Windows-DNSServer/Analytical",),
    "security-mitigations": (
        "Microsoft-Windows-Security-Mitigations/KernelMode",
        "Microsoft-Windows-Security-Mitigations/UserMode",
    ),
}
"""Channels as the events write them, where pySigma's table has another spelling.

pySigma names these logs as Event Viewer shows them (``DNS Client Events``, ``Kernel
Mode``); the ``Channel`` element of the events says ``Microsoft-Windows-DNS-Client/Operational``
and ``.../KernelMode``, so without these a rule of the service never saw its events. Both
spellings are routed.
"""
EXTRA_SYSMON_IDS: dict[str, tuple[int, ...]] = {"file_delete": (26,)}
"""Sysmon also logs deletions as FileDeleteDetected (26) when archiving is off."""


@dataclass(frozen=True, slots=True)
class Route:
    """Where a rule can match. ``keys`` None: every Windows event (for a Windows rule).

    ``wanted`` is what a rule outside Windows names: (product, service, category),
    case-folded, "" where it names nothing.
    """

    windows: bool
    keys: frozenset[RouteKey] | None = None
    wanted: tuple[str, str, str] = ("", "", "")

    def admits(self, source: EventSource) -> bool:
        """Whether an event outside Windows with these logsource parts is this rule's."""
        product, service, category = self.wanted
        return (
            not self.windows
            and (not product or product in source.products)
            and (not service or service in source.services)
            and (not category or category in source.categories)
        )

    def narrowed(self, event_ids: frozenset[int] | None) -> Route:
        """Restrict channel-only keys to the EventIDs the detection itself requires."""
        if self.keys is None or not event_ids:
            return self
        keys: set[RouteKey] = set()
        for channel, event_id, view in self.keys:
            if event_id is None:
                keys.update((channel, wanted, view) for wanted in event_ids)
            elif event_id in event_ids:
                keys.add((channel, event_id, view))
        return Route(self.windows, frozenset(keys), self.wanted) if keys else self


def _channels(service: str) -> list[str]:
    found: Any = windows_logsource_mapping.get(service) or EXTRA_SERVICES.get(service)
    if found is None:
        return []
    channels = [found] if isinstance(found, str) else list(found)
    return channels + list(REAL_CHANNELS.get(service, ()))


def _ids(value: int | Iterable[int]) -> tuple[int, ...]:
    return (value,) if isinstance(value, int) else tuple(value)


def _category_keys(category: str) -> set[RouteKey]:
    keys: set[RouteKey] = set()
    sysmon: Mapping[str, Any] = sysmon_generic_logsource_eventid_mapping
    if category in sysmon:
        ids = _ids(sysmon[category]) + EXTRA_SYSMON_IDS.get(category, ())
        keys.update((SYSMON.casefold(), event_id, "") for event_id in ids)
    generic: Mapping[str, Any] | None = windows_generic_category_channel_mapping.get(category)
    if generic is not None:
        for channel in _channels(str(generic["service"])):
            keys.add((channel.casefold(), int(generic["EventID"]), ""))
    if category == "process_creation":
        keys.add(("security", 4688, SECURITY_4688))
    return keys


def route_for(logsource: SigmaLogSource) -> Route:
    """The route of a rule with this logsource (see the module docstring for the choices)."""
    if (logsource.product or "").casefold() != "windows":
        parts = (logsource.product, logsource.service, logsource.category)
        wanted = tuple((part or "").casefold() for part in parts)
        return Route(windows=False, wanted=(wanted[0], wanted[1], wanted[2]))
    keys: set[RouteKey] = set()
    if logsource.category:
        keys = _category_keys(logsource.category.casefold())
    if not keys and logsource.service:
        keys = {(ch.casefold(), None, "") for ch in _channels(logsource.service.casefold())}
    return Route(windows=True, keys=frozenset(keys) if keys else None)


_INTEGRITY = {
    "s-1-16-4096": "Low",
    "s-1-16-8192": "Medium",
    "s-1-16-8448": "Medium",
    "s-1-16-12288": "High",
    "s-1-16-16384": "System",
}


def _hex_id(value: Any) -> Any:
    if isinstance(value, str) and value.lower().startswith("0x"):
        try:
            return int(value, 16)
        except ValueError:
            return value
    return value


def security_4688_view(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Security 4688 with Sysmon process-creation names added (L2, like pySigma's
    windows-audit pipeline, plus process ids, user and integrity level)."""
    view = dict(fields)
    renames = {
        "NewProcessName": "Image",
        "ParentProcessName": "ParentImage",
        "SubjectLogonId": "LogonId",
    }
    for source, target in renames.items():
        if source in fields:
            view[target] = fields[source]
    if "NewProcessId" in fields:
        view["ProcessId"] = _hex_id(fields["NewProcessId"])
    if "ProcessId" in fields:
        view["ParentProcessId"] = _hex_id(fields["ProcessId"])
    prefix = "Target" if fields.get("TargetUserName") not in (None, "", "-") else "Subject"
    user = fields.get(f"{prefix}UserName")
    if user is not None:
        domain = fields.get(f"{prefix}DomainName")
        view["User"] = f"{domain}\\{user}" if domain else user
    label = fields.get("MandatoryLabel")
    if isinstance(label, str) and label.casefold() in _INTEGRITY:
        view["IntegrityLevel"] = _INTEGRITY[label.casefold()]
    return view


VIEWS = {SECURITY_4688: security_4688_view}
"""View name → function building that view's fields from the event's fields."""
