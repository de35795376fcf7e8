"""Windows events exported as JSON (Winlogbeat, NXLog) to the same names as EVTX.

Both shippers are mapped onto Sigma's Windows names so that a rule matches a Windows event
the same way whichever way it arrived, and ``Event.format`` is ``"evtx"`` for all of them.

Winlogbeat (ECS, 7.x and 8.x): ``winlog.event_id`` → ``EventID``, ``winlog.channel`` →
``Channel``, ``winlog.provider_name`` → ``Provider_Name``, ``winlog.provider_guid`` →
``Provider_Guid``, ``winlog.computer_name`` → ``Computer``, ``winlog.record_id`` →
``EventRecordID``, ``winlog.process.pid`` → ``Execution_ProcessID``,
``winlog.process.thread.id`` → ``Execution_ThreadID``, ``winlog.user.identifier`` →
``Security_UserID``, ``winlog.task``/``opcode``/``keywords``/``version`` → ``Task``/
``Opcode``/``Keywords``/``Version``, ``log.level`` → ``Level``, ``winlog.activity_id`` →
``Correlation_ActivityID``; ``winlog.event_data.X`` and ``winlog.user_data.X`` → ``X``.
The rest of the document (``host.name``, ``message``...) is kept under its dotted names.
Where Winlogbeat's modules or Elastic's ingest pipelines moved EventData into ECS
(``process.executable``...), the Sigma names are rebuilt beside them
(:mod:`.winlogbeat_ecs`); ``event.code`` stands for a missing ``winlog.event_id``.

NXLog (``im_msvistalog`` + ``to_json``): already flat; ``SourceName``/``ProviderName`` →
``Provider_Name``, ``ProviderGuid`` → ``Provider_Guid``, ``Hostname`` → ``Computer``,
``RecordNumber`` → ``EventRecordID``, ``ProcessID``/``ThreadID`` →
``Execution_ProcessID``/``Execution_ThreadID``, ``UserID`` → ``Security_UserID``; every
other key (the EventData names among them) as is. ``EventTime`` has no zone (NXLog writes
the collector's local time); it is taken as UTC.
"""

from __future__ import annotations

from typing import Any

from shieldwall.normalise.evtx import INT_SYSTEM_FIELDS, add_spaceless_names, as_logged, to_int
from shieldwall.normalise.flatten import flatten
from shieldwall.normalise.winlogbeat_ecs import add_sigma_names

WINLOGBEAT_NAMES = {
    "winlog.event_id": "EventID",
    "winlog.channel": "Channel",
    "winlog.provider_name": "Provider_Name",
    "winlog.provider_guid": "Provider_Guid",
    "winlog.computer_name": "Computer",
    "winlog.record_id": "EventRecordID",
    "winlog.process.pid": "Execution_ProcessID",
    "winlog.process.thread.id": "Execution_ThreadID",
    "winlog.user.identifier": "Security_UserID",
    "winlog.task": "Task",
    "winlog.opcode": "Opcode",
    "winlog.keywords": "Keywords",
    "winlog.version": "Version",
    "winlog.activity_id": "Correlation_ActivityID",
    "log.level": "Level",
    "@timestamp": "TimeCreated_SystemTime",
}
WINLOGBEAT_DATA_PREFIXES = ("winlog.event_data.", "winlog.user_data.")

NXLOG_NAMES = {
    "SourceName": "Provider_Name",
    "ProviderName": "Provider_Name",
    "ProviderGuid": "Provider_Guid",
    "Hostname": "Computer",
    "RecordNumber": "EventRecordID",
    "ProcessID": "Execution_ProcessID",
    "ThreadID": "Execution_ThreadID",
    "UserID": "Security_UserID",
    "EventTime": "TimeCreated_SystemTime",
}


def is_winlogbeat(obj: dict[str, Any]) -> bool:
    """A Winlogbeat document: a ``winlog`` object naming the event or its channel."""
    winlog = obj.get("winlog")
    return type(winlog) is dict and ("event_id" in winlog or "channel" in winlog)


def is_nxlog_windows(obj: dict[str, Any]) -> bool:
    """An NXLog Windows event: ``EventID`` beside ``Channel`` or ``SourceName``."""
    return "EventID" in obj and ("Channel" in obj or "SourceName" in obj)


def winlogbeat_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """Sigma Windows names from a Winlogbeat document (see the module docstring)."""
    fields: dict[str, Any] = {}
    for name, value in flatten(obj).items():
        if name.startswith(WINLOGBEAT_DATA_PREFIXES):
            fields[name[name.index(".", 7) + 1 :]] = as_logged(value)
        else:
            fields[WINLOGBEAT_NAMES.get(name, name)] = value
    add_spaceless_names(fields, list(fields))
    if "EventID" not in fields and "event.code" in fields:
        fields["EventID"] = fields["event.code"]
    _ints(fields)
    add_sigma_names(fields)
    return fields


def nxlog_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """Sigma Windows names from an NXLog Windows event (see the module docstring)."""
    fields: dict[str, Any] = {}
    for name, value in flatten(obj).items():
        renamed = NXLOG_NAMES.get(name)
        if renamed is not None:
            fields[renamed] = value
        else:
            fields[name] = as_logged(value)
    for name in ("EventID", "Channel", "Level", "Task", "Opcode", "Version", "Keywords"):
        if name in obj:
            fields[name] = obj[name]
    add_spaceless_names(fields, list(fields))
    _ints(fields)
    return fields


def _ints(fields: dict[str, Any]) -> None:
    for name in INT_SYSTEM_FIELDS:
        value = fields.get(name)
        if type(value) is str:
            fields[name] = to_int(value)
