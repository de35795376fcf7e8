"""Per format, which SigmaHQ rules fire on samples written as each sensor writes them (corpus).

The samples (``tests/fixtures/samples``, see its README) are written by hand, one to three
records of interest per file and a benign one; each line of :data:`EXPECTED` lists, per
record in file order, the titles of the rules that fire on it, out of the whole SigmaHQ tree
outside Windows. A record's rules come from its own product or category (the routing of
``sources.py``), and find their fields under the names the rules use (``query``,
``c-useragent``, ``dst_port``..., added by the normalisers).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shieldwall.detect.engine import Engine
from shieldwall.detect.sigma.loader import load_rules
from shieldwall.ingest import iter_records
from shieldwall.model.errors import InputError
from shieldwall.normalise import normalise, sigma_dns, sigma_firewall, sigma_web

pytestmark = pytest.mark.corpus

SAMPLES = Path(__file__).resolve().parents[3] / "fixtures" / "samples"
ETLD = "Low Reputation Effective Top-Level Domain (eTLD)"
TXT = "DNS TXT Answer with Possible Execution Strings"
RCLONE = "Rclone Activity via Proxy"
TLD_DOWNLOAD = [
    "Download From Suspicious TLD - Blacklist",
    "Download From Suspicious TLD - Whitelist",
]
EXPECTED: dict[str, list[list[str]]] = {
    "zeek/dns.log": [[ETLD], [TXT], []],
    "zeek/http.log": [
        [RCLONE],
        [
            *TLD_DOWNLOAD,
            "HTTP Request to Low Reputation TLD or Suspicious File Extension",
            "Windows PowerShell User Agent",
        ],
        [],
    ],
    # Zeek writes a backslash as \\: unescaped, the path and name match as in Zeek JSON.
    "zeek/smb_files.log": [
        ["Suspicious PsExec Execution - Zeek"],
        ["Transferring Files with Credential Data via Network Shares - Zeek"],
    ],
    # EVE's own keys (dns.rrname, http.http_user_agent) reach the generic dns/proxy rules;
    # a flow to port 23 says nothing of a verdict (no action), so the firewall rule waits.
    "suricata/eve.json": [
        [ETLD],
        [TXT],
        [RCLONE],
        [*TLD_DOWNLOAD, "Windows PowerShell User Agent"],
        [],
    ],
    # CEF behind an RFC 3164 header (unpadded day) and an RFC 3339 one, and bare.
    "cef/cef.log": [
        ["Cleartext Protocol Usage"],
        ["Bitsadmin to Uncommon TLD", *TLD_DOWNLOAD],
        [],
    ],
    # RFC 3339 header, RFC 3164 with an unpadded day, then a benign login.
    "syslog/linux.log": [
        ["Suspicious OpenSSH Daemon Error"],
        ["Disabling Security Tools - Builtin"],
        [],
    ],
    "ecs/filebeat-packetbeat.ndjson": [["Path Traversal Exploitation Attempts"], [ETLD], []],
}


@pytest.fixture(scope="module")
def engine(corpus_dir: Path) -> Engine:
    ruleset = load_rules([corpus_dir / "sigma"])
    ruleset.rules[:] = [rule for rule in ruleset.rules if not rule.route.windows]
    return Engine(ruleset)


@pytest.mark.parametrize("sample", sorted(EXPECTED))
def test_rules_that_fire_per_record(engine: Engine, sample: str) -> None:
    problems: list[InputError] = []
    events = [normalise(r) for r in iter_records(SAMPLES / sample, on_problem=problems.append)]
    assert problems == []
    assert all(event.timestamp is not None for event in events)
    fired = [sorted(d.rule_title for d in engine.match(event)) for event in events]
    assert fired == [sorted(titles) for titles in EXPECTED[sample]]


GENERIC = {"dns", "firewall", "proxy", "webserver"}
DERIVED = {"c-uri-stem", "cs-uri-stem", "c-uri-query", "cs-uri-query", "c-uri-extension"}
NOT_GIVEN = {"blocked"}
"""A firewall rule's alternative to ``action``; no format here logs a boolean verdict."""


def test_every_field_of_the_generic_network_rules_is_given_by_some_format(
    engine: Engine,
) -> None:
    given: set[str] = set(DERIVED) | set(sigma_web.SAME_AS)
    for module in (sigma_dns, sigma_firewall, sigma_web):
        for table in (getattr(module, kind, {}) for kind in ("ZEEK", "EVE", "CEF", "ECS")):
            given |= set(table)
    named = {
        leaf.field
        for rule in engine.rules
        if rule.route.wanted[0] == "" and rule.route.wanted[2] in GENERIC
        for leaf, _ in rule.node.leaves()
        if leaf.field is not None
    }
    assert len(named) > 20
    assert named - given == NOT_GIVEN
