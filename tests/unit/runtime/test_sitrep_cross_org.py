"""The SITREP over a real store, the API and the command line: a report for alpha holds
alpha's incidents and what alpha may receive, never bravo's restricted incidents or
indicators — searched for in the HTML and in the PDF's text (``pdftotext``)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from shieldwall.cli.main import app
from shieldwall.model.alert import NewAlert
from shieldwall.model.identity import Principal, Role
from shieldwall.share.intel.audience import Addressing
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.identity import identity_id
from shieldwall.share.intel.publish import publish
from tests.conftest import require
from tests.unit.api.conftest import World, build_world
from tests.unit.share.intel_world import MARK

BRAVO_SECRETS = ("Operation Nightjar at bravo", "BRAVO-STRICT-IOC", "198.51.100.66", "T1003.001")
ALPHA_SEEN = ("Phishing wave at alpha", "bravo-green-ioc", "203.0.113.77", "T1566.001")
NOW = datetime.now(UTC)


def _indicator(org: str, name: str, value: str, tlp: str) -> dict[str, Any]:
    stamp = NOW.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
        "created": stamp, "modified": stamp, "created_by_ref": identity_id(org), "name": name,
        "pattern": f"[ipv4-addr:value = '{value}']", "pattern_type": "stix",
        "valid_from": stamp, "object_marking_refs": [MARK[tlp]],
    }  # fmt: skip


def _sighting(org: str, target: str) -> dict[str, Any]:
    stamp = NOW.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "type": "sighting", "spec_version": "2.1", "id": f"sighting--{uuid.uuid4()}",
        "created": stamp, "modified": stamp, "created_by_ref": identity_id(org),
        "sighting_of_ref": target, "count": 4, "object_marking_refs": [MARK["green"]],
    }  # fmt: skip


def _alert(org: str, number: int, technique: str) -> NewAlert:
    return NewAlert(
        key=f"{org}:{number}:r", org_id=org, rule_id="r", rule_title="Rule", level="high",
        tags=(), event_time=NOW, source="test", matched={}, event={}, techniques=(technique,),
    )  # fmt: skip


def _publish(world: World, org: str, objects: list[dict[str, Any]]) -> None:
    who = Principal(f"p-{org}", org, Role.ANALYST)
    with world.services.store.transaction() as tx:
        directory = StoreDirectory(tx)
        org_row = directory.organisation(org)
        assert org_row is not None
        who = Principal(who.person_id, org, Role.ANALYST, org_row.kind, org_row.country)
        result = publish(tx, who, objects, Addressing(), directory)
    assert not result.failures, result.failures


def seeded(tmp_path: Path, database_url: str = "") -> World:
    """alpha and bravo, each with an incident, an alert and a part in one campaign; bravo's
    GREEN and AMBER+STRICT indicators; alpha's sighting of the GREEN one."""
    built = build_world(tmp_path, database_url)
    with built.services.store.transaction() as tx:
        tx.alerts.add([_alert("alpha", 1, "T1566.001"), _alert("bravo", 2, "T1003.001")])
        mine = tx.incidents.open("alpha", "Phishing wave at alpha", "high", "seed:alpha")
        theirs = tx.incidents.open("bravo", "Operation Nightjar at bravo", "critical", "seed:bravo")
        for org, incident in (("alpha", mine), ("bravo", theirs)):
            tx.campaigns.note("ip:192.0.2.1", org, incident, NOW)
    green = _indicator("bravo", "bravo-green-ioc", "203.0.113.77", "green")
    strict = _indicator("bravo", "BRAVO-STRICT-IOC", "198.51.100.66", "strict")
    _publish(world=built, org="bravo", objects=[green, strict])
    _publish(world=built, org="alpha", objects=[_sighting("alpha", green["id"])])
    return built


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = seeded(tmp_path)
    yield built
    built.services.close()


def sitrep(world: World, caller: str, query: str) -> Any:
    return world.client.get(f"/api/v1/reports/sitrep?{query}", headers=world.auth(caller))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    found = shutil.which("pdftotext")
    require(found is not None, "pdftotext (Debian package 'poppler-utils')")
    path = tmp_path / "sitrep.pdf"
    path.write_bytes(pdf)
    run = subprocess.run(
        [str(found), "-layout", str(path), "-"], check=True, capture_output=True, timeout=120
    )
    return run.stdout.decode()


def test_alphas_html_report_holds_alphas_picture_and_none_of_bravos(world: World) -> None:
    response = sitrep(world, "centre-admin", "for=alpha")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for seen in ALPHA_SEEN:
        assert seen in page
    for secret in BRAVO_SECRETS:
        assert secret not in page
    assert "Sightings reported: 4, of 1 indicator(s)" in page
    assert response.headers["x-tlp"] == "TLP:AMBER+STRICT"
    assert page.count(">TLP:AMBER+STRICT</span>") == 2  # the marking heads and closes the page
    with world.services.store.reading() as tx:
        (entry,) = [e for e in tx.audit.entries() if e.action == "report.sitrep"]
    assert (entry.org_id, entry.object_id) == ("centre", "alpha")
    assert entry.detail.endswith("html TLP:AMBER+STRICT")


def test_alphas_pdf_report_holds_none_of_bravos(world: World, tmp_path: Path) -> None:
    response = sitrep(world, "alpha-analyst", "for=alpha&format=pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    for seen in ALPHA_SEEN:
        assert seen in text
    for secret in BRAVO_SECRETS:
        assert secret not in text
    assert "TLP:AMBER+STRICT" in text


def test_bravos_own_report_has_its_secrets(world: World) -> None:
    page = sitrep(world, "bravo-liaison", "for=bravo").text
    assert "Operation Nightjar at bravo" in page and "BRAVO-STRICT-IOC" in page
    assert "Phishing wave at alpha" not in page


def test_another_members_report_is_absent_not_forbidden(world: World) -> None:
    hidden = sitrep(world, "alpha-lead", "for=bravo")
    absent = sitrep(world, "alpha-lead", "for=zulu")
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json() == absent.json()
    assert sitrep(world, "alpha-sensor", "for=alpha").status_code == 403
    own = sitrep(world, "alpha-analyst", "")  # no ``for``: the caller's own organisation
    assert own.status_code == 200 and "Phishing wave at alpha" in own.text
    bad = sitrep(world, "alpha-lead", "for=alpha&date=yesterday")
    assert bad.status_code == 422 and "date" in bad.json()["detail"]
    assert sitrep(world, "alpha-lead", "for=alpha&format=docx").status_code == 422
    assert sitrep(world, "alpha-lead", "for=Not_A_Slug").status_code == 422


def test_the_command_line_writes_the_report_for_a_member(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHIELDWALL_DATA_DIR", str(tmp_path))
    out = tmp_path / "alpha.pdf"
    result = CliRunner().invoke(
        app, ["report", "sitrep", "--for", "alpha", "--format", "pdf", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes(), tmp_path)
    assert "Phishing wave at alpha" in text and "Operation Nightjar" not in text
    html = CliRunner().invoke(app, ["report", "sitrep", "--for", "alpha", "--date", "2020-01-01"])
    assert html.exit_code == 0 and "None in this period." in html.output
    missing = CliRunner().invoke(app, ["report", "sitrep", "--for", "zulu"])
    assert missing.exit_code == 1 and "not found" in missing.output


def test_every_store_gives_alpha_the_same_report(tmp_path: Path, database_url: str) -> None:
    """SQLite and PostgreSQL alike (timestamps, paging and the gate)."""
    world = seeded(tmp_path, database_url)
    try:
        page = sitrep(world, "centre-admin", "for=alpha").text
        lead = sitrep(world, "alpha-lead", "for=alpha").text
    finally:
        world.services.close()
    assert "1 new, 0 closed, 1 open" in page and "Sightings reported: 4" in page
    assert all(secret not in page for secret in BRAVO_SECRETS)
    assert page.split("Generated")[1][20:] == lead.split("Generated")[1][20:]
