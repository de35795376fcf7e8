"""STIX → Shieldwall → STIX and MISP → Shieldwall → MISP through the command line
(issue 14): a bundle the project writes for every template comes back unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
import stix2validator
from pymisp import MISPEvent
from typer.testing import CliRunner

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.cli.main import app
from shieldwall.config.settings import load_settings
from shieldwall.model.identity import Organisation, OrgKind
from shieldwall.runtime.wiring import open_services
from shieldwall.share.misp import misp_event_to_stix
from tests.unit.share.misp.misp_world import FIXTURES, import_context


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    variables = {"SHIELDWALL_DATA_DIR": str(tmp_path / "data")}
    services = open_services(load_settings(variables))
    accounts.add_organisation(
        services.store, OPERATOR, Organisation("alpha", "alpha", OrgKind.NATION, "FR")
    )
    services.store.close()
    return variables


def _invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_a_bundle_of_every_template_comes_back_unchanged(
    env: dict[str, str], tmp_path: Path
) -> None:
    event = json.loads((FIXTURES / "event_templates.json").read_text())
    objects = misp_event_to_stix(event, context=import_context(owner_org_id="alpha")).objects
    source = tmp_path / "bundle.json"
    source.write_bytes(orjson.dumps({"type": "bundle", "id": "bundle--x", "objects": objects}))
    code, _, err = _invoke(env, "intel", "import", str(source), "--as", "alpha")
    assert code == 0 and "refused" not in err, err
    target = tmp_path / "out.json"
    code, _, err = _invoke(env, "intel", "export", "--for", "alpha", "--output", str(target))
    assert code == 0, err
    served = {o["id"]: o for o in json.loads(target.read_text())["objects"]}
    assert {o["id"]: o for o in objects} == {i: served[i] for i in (o["id"] for o in objects)}
    for obj in served.values():
        outcome = stix2validator.validate_instance(obj, stix2validator.ValidationOptions())
        assert [str(e) for e in outcome.errors] == [], obj["id"]


def test_a_misp_event_of_every_template_leaves_whole(env: dict[str, str], tmp_path: Path) -> None:
    code, _, err = _invoke(
        env, "intel", "import", str(FIXTURES / "event_templates.json"), "--as", "alpha"
    )
    assert code == 0 and "refused" not in err, err
    target = tmp_path / "events.json"
    code, _, err = _invoke(
        env, "intel", "export", "--for", "alpha", "--format", "misp", "--output", str(target)
    )
    assert code == 0, err
    events = json.loads(target.read_text())
    assert len(events) == 1
    again = MISPEvent()
    again.load(events[0])
    sent = json.loads((FIXTURES / "event_templates.json").read_text())["Event"]
    assert {o.uuid for o in again.objects} == {o["uuid"] for o in sent["Object"]}
    assert {a.uuid for a in again.attributes} == {a["uuid"] for a in sent["Attribute"]}
    assert again.published is True
