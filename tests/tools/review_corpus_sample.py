"""Recount five corpus rules without Shieldwall, to review the recorded counts by hand.

Usage: .venv/bin/python -m tests.tools.review_corpus_sample [--corpus ../shared/corpus]

Each rule of the sample is written out again below as a plain Python predicate over the
records the ``evtx`` package yields (not our readers, normaliser or engine), following the
rule's YAML by hand. The script prints, per rule, the recount beside the count recorded in
``tests/fixtures/scan/expected_corpus_summary.json``; the README there records the outcome.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import evtx

from tests.tools.make_expected_corpus_summary import DEFAULT_CORPUS, FIXTURE

Record = dict[str, Any]
SIXTEEN = re.compile(r"^[A-Za-z0-9]{16}$")
MIMIKATZ = (
    "dpapi::masterkey", "eo.oe.kiwi", "event::clear", "event::drop", "gentilkiwi.com",
    "kerberos::golden", "kerberos::ptc", "kerberos::ptt", "kerberos::tgt", "kiwi legit printer",
    "lsadump::", "mimidrv.sys", "\\mimilib.dll", "misc::printnightmare", "misc::shadowcopies",
    "misc::skeleton", "privilege::backup", "privilege::debug", "privilege::driver", "sekurlsa::",
)  # fmt: skip


def records(evtx_dir: Path) -> Iterator[Record]:
    """Every record of every .evtx file, as the evtx package parses it."""
    for path in sorted(evtx_dir.rglob("*.evtx")):
        for record in evtx.PyEvtxParser(str(path)).records_json():
            yield json.loads(record["data"])["Event"]


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("#text", ""))
    return "" if value is None else str(value)


def system(event: Record, name: str) -> str:
    return _text(event.get("System", {}).get(name))


def provider(event: Record) -> str:
    return str(event.get("System", {}).get("Provider", {}).get("#attributes", {}).get("Name", ""))


def data(event: Record, name: str) -> str:
    section = event.get("EventData") or {}
    return _text(section.get(name)) if isinstance(section, dict) else ""


def security(event: Record, *ids: int) -> bool:
    return system(event, "Channel") == "Security" and system(event, "EventID") in map(str, ids)


def metasploit_smb(event: Record) -> bool:
    """72124974: NTLM network logons, or 4776, from a 16-character random workstation name."""
    if security(event, 4624, 4625):
        return (
            data(event, "LogonType") == "3"
            and data(event, "AuthenticationPackageName").lower() == "ntlm"
            and SIXTEEN.search(data(event, "WorkstationName")) is not None
        )
    return security(event, 4776) and SIXTEEN.search(data(event, "Workstation")) is not None


def security_log_cleared(event: Record) -> bool:
    """d99b79d2: 517 from Security, or 1102 from Microsoft-Windows-Eventlog."""
    name = provider(event).lower()
    return (security(event, 517) and name == "security") or (
        security(event, 1102) and name == "microsoft-windows-eventlog"
    )


def password_policy_enumerated(event: Record) -> bool:
    """12ba6a38: 4661 handle to SAM asking ReadPasswordParameters (%%5392)."""
    return (
        security(event, 4661)
        and "%%5392" in data(event, "AccessList")
        and data(event, "ObjectServer").lower() == "security account manager"
    )


def user_logoff(event: Record) -> bool:
    """0badd08f: 4634 or 4647 in Security."""
    return security(event, 4634, 4647)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key != "#attributes":
                yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)
    elif value is not None:
        yield str(value)


def mimikatz_keywords(event: Record) -> bool:
    """06d71506: any keyword in any value of the event, except Sysmon event 15."""
    if system(event, "EventID") == "15":
        return False
    texts = [
        text.lower() for part in ("EventData", "UserData") for text in _strings(event.get(part))
    ]
    return any(keyword in text for text in texts for keyword in MIMIKATZ)


SAMPLE: dict[str, Callable[[Record], bool]] = {
    "72124974-a68b-4366-b990-d30e0b2a190d": metasploit_smb,
    "d99b79d2-0a6f-4f46-ad8b-260b6e17f982": security_log_cleared,
    "12ba6a38-adb3-4d6b-91ba-a7fb248e3199": password_policy_enumerated,
    "0badd08f-c6a3-4630-90d3-6875cca440be": user_logoff,
    "06d71506-7beb-4f22-8888-e2e5e2ca7fd8": mimikatz_keywords,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    counts = dict.fromkeys(SAMPLE, 0)
    for event in records(args.corpus / "evtx"):
        for rule_id, predicate in SAMPLE.items():
            counts[rule_id] += predicate(event)
    recorded = json.loads(FIXTURE.read_text(encoding="utf-8"))["by_rule"]
    for rule_id, count in counts.items():
        entry = recorded.get(rule_id, {"title": "?", "count": 0})
        verdict = "same" if entry["count"] == count else "DIFFERENT"
        print(f"{rule_id} {entry['title']}: recorded {entry['count']}, recount {count} {verdict}")


if __name__ == "__main__":
    main()
