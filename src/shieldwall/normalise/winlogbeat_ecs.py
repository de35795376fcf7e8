"""Winlogbeat 7/8 and Elastic-processed Windows events: ECS names back to Sigma's.

Winlogbeat 7's Sysmon module and Winlogbeat 8's ingest pipelines (and documents exported
from Elasticsearch after them) move Sysmon's EventData into ECS and drop the originals:
``Image`` becomes ``process.executable``, ``CommandLine`` ``process.command_line``,
``User`` is split into ``user.domain`` and ``user.name``, ``Hashes`` into
``process.hash.*``. Sigma's Windows rules name the originals, so they are rebuilt here, as
pySigma's ECS Windows pipeline (``ecs_windows``) pairs them, where the event does not carry
them already. The pairing depends on the Sysmon event: ``file.path`` is ``TargetFilename``
in a file event and ``ImageLoaded`` in an image load; so the tables are per Sysmon
EventID. ``log.level`` and ``winlog.keywords`` given as names become EVTX's numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall.normalise.evtx import as_logged

SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational"
POWERSHELL_CHANNEL = "Microsoft-Windows-PowerShell/Operational"

Pairs = tuple[tuple[str, str], ...]
"""(Sigma name, ECS name) in order; the first ECS field present gives the value."""

PROCESS: Pairs = (
    ("Image", "process.executable"),
    ("ProcessId", "process.pid"),
    ("ProcessGuid", "process.entity_id"),
)
PROCESS_CREATION: Pairs = (
    *PROCESS,
    ("CommandLine", "process.command_line"),
    ("CurrentDirectory", "process.working_directory"),
    ("ParentImage", "process.parent.executable"),
    ("ParentCommandLine", "process.parent.command_line"),
    ("ParentProcessId", "process.parent.pid"),
    ("ParentProcessGuid", "process.parent.entity_id"),
    ("OriginalFileName", "process.pe.original_file_name"),
    ("Description", "process.pe.description"),
    ("Product", "process.pe.product"),
    ("Company", "process.pe.company"),
    ("FileVersion", "process.pe.file_version"),
)
SIGNATURE: Pairs = (
    ("Signed", "file.code_signature.signed"),
    ("Signature", "file.code_signature.subject_name"),
    ("SignatureStatus", "file.code_signature.status"),
)
IMAGE_LOAD: Pairs = (
    *PROCESS,
    ("ImageLoaded", "file.path"),
    ("OriginalFileName", "file.pe.original_file_name"),
    ("Description", "file.pe.description"),
    ("Product", "file.pe.product"),
    ("Company", "file.pe.company"),
    ("FileVersion", "file.pe.file_version"),
    *SIGNATURE,
)
NETWORK: Pairs = (
    *PROCESS,
    ("Protocol", "network.transport"),
    ("SourceIp", "source.ip"),
    ("SourcePort", "source.port"),
    ("SourceHostname", "source.domain"),
    ("DestinationIp", "destination.ip"),
    ("DestinationPort", "destination.port"),
    ("DestinationHostname", "destination.domain"),
    ("DestinationPortName", "network.protocol"),
)
SOURCE_PROCESS: Pairs = (
    ("SourceImage", "process.executable"),
    ("SourceProcessId", "process.pid"),
    ("SourceProcessGuid", "process.entity_id"),
    ("SourceProcessGUID", "process.entity_id"),
    ("SourceThreadId", "process.thread.id"),
)
FILE: Pairs = (
    *PROCESS,
    ("TargetFilename", "file.path"),
    ("IsExecutable", "sysmon.file.is_executable"),
    ("Archived", "sysmon.file.archived"),
)
REGISTRY: Pairs = (
    *PROCESS,
    ("TargetObject", "registry.path"),
    ("Details", "registry.data.strings"),
)

SYSMON: Mapping[int, tuple[Pairs, str | None]] = {
    1: (PROCESS_CREATION, "process"),
    2: (FILE, None),
    3: (NETWORK, None),
    5: (PROCESS, None),
    6: ((("ImageLoaded", "file.path"), *SIGNATURE), "file"),
    7: (IMAGE_LOAD, "file"),
    8: (SOURCE_PROCESS, None),
    10: (SOURCE_PROCESS, None),
    11: (FILE, None),
    12: (REGISTRY, None),
    13: (REGISTRY, None),
    14: (REGISTRY, None),
    15: (FILE, "file"),
    17: ((*PROCESS, ("PipeName", "file.name")), None),
    18: ((*PROCESS, ("PipeName", "file.name")), None),
    22: (
        (*PROCESS, ("QueryName", "dns.question.name"), ("QueryStatus", "sysmon.dns.status")),
        None,
    ),
    23: (FILE, "file"),
    26: (FILE, "file"),
}
"""Sysmon EventID → its pairs and the ECS object whose ``hash.*`` rebuild ``Hashes``."""

POWERSHELL: Pairs = (
    ("ScriptBlockText", "powershell.file.script_block_text"),
    ("ScriptBlockId", "powershell.file.script_block_id"),
    ("MessageNumber", "powershell.sequence"),
    ("MessageTotal", "powershell.total"),
    ("Path", "file.path"),
    ("Payload", "powershell.file.script_block_text"),
)

HASH_ORDER = (("SHA1", "sha1"), ("MD5", "md5"), ("SHA256", "sha256"), ("IMPHASH", "imphash"))
LEVELS = {"critical": 1, "error": 2, "warning": 3, "information": 4, "info": 4, "verbose": 5}
KEYWORD_BITS = {
    "response time": 0x0001000000000000,
    "wdi context": 0x0002000000000000,
    "wdi diag": 0x0004000000000000,
    "wdi diagnostic": 0x0004000000000000,
    "sqm": 0x0008000000000000,
    "audit failure": 0x0010000000000000,
    "audit success": 0x0020000000000000,
    "correlation hint": 0x0040000000000000,
    "classic": 0x0080000000000000,
}
"""The standard keywords of ``winmeta.xml``, as Winlogbeat names them."""
SECURITY_CHANNEL_BIT = 0x8000000000000000
"""Set on every Security log event's Keywords (``0x8020000000000000`` is audit success)."""


def add_sigma_names(fields: dict[str, Any]) -> None:
    """Rebuild the Sigma names an ECS-processed Windows event lost (see the module doc)."""
    channel, event_id = fields.get("Channel"), fields.get("EventID")
    if channel == SYSMON_CHANNEL and type(event_id) is int:
        pairs, hashed = SYSMON.get(event_id, (PROCESS, None))
        _copy(fields, pairs)
        _user(fields)
        if hashed is not None and "Hashes" not in fields:
            _hashes(fields, hashed)
    elif channel == POWERSHELL_CHANNEL:
        _copy(fields, POWERSHELL)
    _level(fields)
    _keywords(fields)


def _copy(fields: dict[str, Any], pairs: Pairs) -> None:
    for sigma_name, ecs_name in pairs:
        if sigma_name not in fields and ecs_name in fields:
            value = fields[ecs_name]
            if type(value) is list and len(value) == 1:
                value = value[0]
            fields[sigma_name] = as_logged(value)


def _user(fields: dict[str, Any]) -> None:
    """``User`` as Sysmon writes it, ``DOMAIN\\name``, from ``user.domain``/``user.name``."""
    name = fields.get("user.name")
    if "User" in fields or type(name) is not str:
        return
    domain = fields.get("user.domain")
    fields["User"] = f"{domain}\\{name}" if type(domain) is str and domain else name


def _hashes(fields: dict[str, Any], prefix: str) -> None:
    """``SHA1=..,MD5=..,SHA256=..,IMPHASH=..`` (upper-case hex, as Sysmon writes it)."""
    parts = []
    for label, key in HASH_ORDER:
        value = fields.get(f"{prefix}.hash.{key}") or fields.get(f"{prefix}.pe.{key}")
        value = value or fields.get(f"hash.{key}")
        if type(value) is str and value:
            parts.append(f"{label}={value.upper()}")
    if parts:
        fields["Hashes"] = ",".join(parts)


def _level(fields: dict[str, Any]) -> None:
    level = fields.get("Level")
    if type(level) is str:
        number = LEVELS.get(level.strip().casefold())
        if number is not None:
            fields["Level"] = number


def _keywords(fields: dict[str, Any]) -> None:
    """Keyword names as EVTX's hex mask (``0x8020000000000000``, unpadded as EVTX prints it).

    Names carry only the standard bits; the Security channel's own bit is set for Security
    events, as on 97% of the corpus' Security events. A list with an unknown name is left.
    """
    names = fields.get("Keywords")
    if type(names) is str:
        names = [names]
    if type(names) is not list or not names or not all(type(n) is str for n in names):
        return
    bits = [KEYWORD_BITS.get(n.strip().casefold()) for n in names]
    if any(bit is None for bit in bits):
        return
    mask = sum(bit for bit in bits if bit is not None)
    if fields.get("Channel") == "Security":
        mask |= SECURITY_CHANNEL_BIT
    fields["Keywords"] = f"0x{mask:x}"
