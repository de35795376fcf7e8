"""Windows events as Winlogbeat 8 ships them: Sysmon and Security, in ECS documents.

Only the shape matters to the pipeline (``winlog.*`` and ``winlog.event_data.*``), but the
documents carry what a real shipper writes beside it (``@timestamp``, ``agent``, ``host``,
``event``) so that what an analyst opens from the demo looks like what they know.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

SYSMON = "Microsoft-Windows-Sysmon/Operational"
SYSMON_PROVIDER = "Microsoft-Windows-Sysmon"
SECURITY_PROVIDER = "Microsoft-Windows-Security-Auditing"
SCM_PROVIDER = "Service Control Manager"


def stamp(moment: datetime) -> str:
    """ECS's ``@timestamp``: UTC with milliseconds."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _document(
    moment: datetime,
    host: str,
    channel: str,
    provider: str,
    event_id: int,
    record: int,
    data: dict[str, Any],
    action: str,
) -> dict[str, Any]:
    short = host.split(".")[0]
    return {
        "@timestamp": stamp(moment),
        "agent": {"type": "winlogbeat", "version": "8.12.0", "name": short},
        "ecs": {"version": "8.0.0"},
        "event": {"code": str(event_id), "kind": "event", "provider": provider, "action": action},
        "host": {"name": host, "hostname": short, "os": {"family": "windows"}},
        "log": {"level": "information"},
        "winlog": {
            "channel": channel,
            "computer_name": host,
            "event_id": str(event_id),
            "provider_name": provider,
            "record_id": str(record),
            "api": "wineventlog",
            "event_data": data,
        },
    }  # fmt: skip


def _guid(seed: str) -> str:
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, seed)).upper() + "}"


def process_creation(
    moment: datetime,
    host: str,
    record: int,
    *,
    image: str,
    command_line: str,
    parent_image: str,
    parent_command_line: str,
    user: str,
    pid: int,
    parent_pid: int,
    hashes: str = "",
) -> dict[str, Any]:
    """Sysmon event 1: a process started."""
    data = {
        "RuleName": "-",
        "UtcTime": moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
        "ProcessGuid": _guid(f"{host}/{pid}/{moment.isoformat()}"),
        "ProcessId": str(pid),
        "Image": image,
        "FileVersion": "-",
        "Description": "-",
        "Product": "-",
        "Company": "-",
        "OriginalFileName": image.rsplit("\\", 1)[-1].upper(),
        "CommandLine": command_line,
        "CurrentDirectory": "C:\\Windows\\system32\\",
        "User": user,
        "LogonId": "0x3e7" if user.endswith("SYSTEM") else "0x2c1f4",
        "IntegrityLevel": "System" if user.endswith("SYSTEM") else "Medium",
        "Hashes": hashes or f"SHA256={uuid.uuid5(uuid.NAMESPACE_OID, image).hex * 2}",
        "ParentProcessGuid": _guid(f"{host}/{parent_pid}"),
        "ParentProcessId": str(parent_pid),
        "ParentImage": parent_image,
        "ParentCommandLine": parent_command_line,
        "ParentUser": user,
    }
    return _document(moment, host, SYSMON, SYSMON_PROVIDER, 1, record, data, "Process Create")


def process_access(
    moment: datetime,
    host: str,
    record: int,
    *,
    source_image: str,
    source_pid: int,
    target_image: str,
    target_pid: int,
    granted_access: str,
    call_trace: str,
) -> dict[str, Any]:
    """Sysmon event 10: one process opened another (how LSASS is read)."""
    data = {
        "RuleName": "-",
        "UtcTime": moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
        "SourceProcessGUID": _guid(f"{host}/{source_pid}"),
        "SourceProcessId": str(source_pid),
        "SourceThreadId": str(source_pid + 12),
        "SourceImage": source_image,
        "TargetProcessGUID": _guid(f"{host}/{target_pid}"),
        "TargetProcessId": str(target_pid),
        "TargetImage": target_image,
        "GrantedAccess": granted_access,
        "CallTrace": call_trace,
    }
    return _document(moment, host, SYSMON, SYSMON_PROVIDER, 10, record, data, "Process accessed")


def network_connection(
    moment: datetime,
    host: str,
    record: int,
    *,
    image: str,
    pid: int,
    user: str,
    source_ip: str,
    source_port: int,
    destination_ip: str,
    destination_port: int,
    destination_host: str = "",
) -> dict[str, Any]:
    """Sysmon event 3: an outbound TCP connection."""
    data = {
        "RuleName": "-",
        "UtcTime": moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
        "ProcessGuid": _guid(f"{host}/{pid}"),
        "ProcessId": str(pid),
        "Image": image,
        "User": user,
        "Protocol": "tcp",
        "Initiated": "true",
        "SourceIsIpv6": "false",
        "SourceIp": source_ip,
        "SourceHostname": host,
        "SourcePort": str(source_port),
        "DestinationIsIpv6": "false",
        "DestinationIp": destination_ip,
        "DestinationHostname": destination_host,
        "DestinationPort": str(destination_port),
    }
    return _document(
        moment, host, SYSMON, SYSMON_PROVIDER, 3, record, data, "Network connection detected"
    )


def service_installed(
    moment: datetime, host: str, record: int, *, service: str, image_path: str
) -> dict[str, Any]:
    """System event 7045: a service was installed (PsExec leaves one)."""
    data = {
        "ServiceName": service,
        "ImagePath": image_path,
        "ServiceType": "user mode service",
        "StartType": "demand start",
        "AccountName": "LocalSystem",
    }
    return _document(moment, host, "System", SCM_PROVIDER, 7045, record, data, "Service installed")


def logon(
    moment: datetime,
    host: str,
    record: int,
    *,
    user: str,
    domain: str,
    logon_type: int,
    source_ip: str,
    workstation: str,
) -> dict[str, Any]:
    """Security event 4624: an account logged on."""
    data = {
        "SubjectUserSid": "S-1-0-0",
        "TargetUserName": user,
        "TargetDomainName": domain,
        "LogonType": str(logon_type),
        "LogonProcessName": "NtLmSsp" if logon_type == 3 else "User32",
        "AuthenticationPackageName": "NTLM" if logon_type == 3 else "Negotiate",
        "WorkstationName": workstation,
        "IpAddress": source_ip,
        "IpPort": "0",
    }
    return _document(moment, host, "Security", SECURITY_PROVIDER, 4624, record, data, "logged-in")
