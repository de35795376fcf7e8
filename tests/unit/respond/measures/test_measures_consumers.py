"""Each format, checked by the real consumer that members run (or its reference checker).

- Suricata rules: ``suricata-check`` (PyPI): every rule parsed, no issue at WARNING or above
  (its header grammar has no ``:``, so it cannot read an IPv6 address: those rules are
  left to the structural checks of test_measures_values.py);
- nftables: ``nft -c -f`` (Debian ``nftables``): the table and sets load (check mode);
- RPZ: ``named-checkzone`` (Debian ``bind9-utils``): the zone loads, serial = version;
- STIX 2.1 bundle: ``stix2-validator``: valid, no error;
- Sigma: pySigma: every rule parses with no error;
- Zeek intel: the header and columns Zeek's ``Intel::read_files`` input reader expects;
- plain and CSV: read back with the standard readers.

A checker that is missing skips its test with the reason, and fails it when CI=true.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

from shieldwall.model.measures import MeasureFormat
from shieldwall.respond.measures.formats import WRITERS
from tests.conftest import require
from tests.unit.respond.measures.hostile import CONTEXT, ITEMS


def _write(fmt: MeasureFormat, folder: Path) -> Path:
    spec = WRITERS[fmt]
    path = folder / spec.file_name
    path.write_bytes(spec.write(ITEMS, CONTEXT))
    return path


def _tool(name: str, *extra: str) -> str:
    found = shutil.which(name) or next(
        (str(Path(d) / name) for d in (*extra, "/usr/sbin", "/sbin") if (Path(d) / name).is_file()),
        None,
    )
    require(found is not None, f"{name} (see .ci/run)")
    assert found is not None
    return found


def test_suricata_rules_pass_suricata_check(tmp_path: Path) -> None:
    checker = _tool("suricata-check", str(Path(sys.executable).parent))
    rules = _write(MeasureFormat.SURICATA, tmp_path)
    report = tmp_path / "report"
    done = subprocess.run(
        [checker, "-r", str(rules), "-o", str(report), "--issue-severity", "WARNING"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    log = (report / "suricata-check.log").read_text()
    refused = [line for line in log.splitlines() if " - ERROR - " in line]
    assert all("Invalid rule" in line and "2001:db8:" in line for line in refused), log
    assert len(refused) <= 2  # at most the two IPv6 address rules, never another
    checked = [
        json.loads(line) for line in (report / "suricata-check.jsonl").read_text().splitlines()
    ]
    rule_lines = [line for line in rules.read_text().splitlines() if not line.startswith("#")]
    assert len(rule_lines) == 10  # addresses, domains and URLs; hashes need list files
    assert len(checked) == len(rule_lines) - len(refused)
    assert all(entry["summary"]["total_issues"] == 0 for entry in checked), checked


def test_nftables_set_loads_in_nft_check_mode(tmp_path: Path) -> None:
    nft = _tool("nft")
    ruleset = _write(MeasureFormat.NFTABLES, tmp_path)
    done = subprocess.run(
        [nft, "-c", "-f", str(ruleset)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "203.0.113.128/25" in ruleset.read_text()  # overlapping blocks: auto-merge


def test_rpz_zone_loads_in_named_checkzone(tmp_path: Path) -> None:
    checkzone = _tool("named-checkzone")
    zone = _write(MeasureFormat.RPZ, tmp_path)
    done = subprocess.run(
        [checkzone, "-i", "local", "rpz.shieldwall", str(zone)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "loaded serial 7" in done.stdout
    assert "evil.example CNAME ." in zone.read_text()


def test_stix_bundle_passes_stix2_validator(tmp_path: Path) -> None:
    from stix2validator import ValidationOptions, validate_string

    bundle = _write(MeasureFormat.STIX, tmp_path).read_text()
    results = validate_string(bundle, ValidationOptions(version="2.1", strict=True))
    assert results.is_valid, [str(e) for o in results.object_results for e in o.errors]
    assert len(json.loads(bundle)["objects"]) == len(ITEMS)


def test_sigma_rules_parse_in_pysigma(tmp_path: Path) -> None:
    from sigma.collection import SigmaCollection

    text = _write(MeasureFormat.SIGMA, tmp_path).read_text()
    collection = SigmaCollection.from_yaml(text, collect_errors=True)
    assert collection.errors == [], collection.errors
    titles = sorted(rule.title for rule in collection.rules)  # type: ignore[union-attr]
    assert len(titles) == 4 and all("alpha" in title for title in titles)


def test_zeek_intel_file_has_the_columns_zeek_reads(tmp_path: Path) -> None:
    lines = _write(MeasureFormat.ZEEK, tmp_path).read_text().splitlines()
    header = lines[0].split("\t")
    assert header[:3] == ["#fields", "indicator", "indicator_type"]
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(row) == len(header) - 1 for row in rows)
    types = {row[1] for row in rows}
    assert types == {
        "Intel::ADDR",
        "Intel::SUBNET",
        "Intel::DOMAIN",
        "Intel::URL",
        "Intel::FILE_HASH",
    }
    assert "evil.example:8443/a;b?c=d&e='x'" in {row[0] for row in rows}


def test_plain_and_csv_read_back_with_standard_readers(tmp_path: Path) -> None:
    plain = _write(MeasureFormat.PLAIN, tmp_path).read_text().splitlines()
    assert plain == [item.value for item in ITEMS]
    rows = list(csv.DictReader(io.StringIO(_write(MeasureFormat.CSV, tmp_path).read_text())))
    assert [row["value"] for row in rows] == plain
    assert rows[0]["reason"] == 'reason; with "quotes"\nand a newline'
