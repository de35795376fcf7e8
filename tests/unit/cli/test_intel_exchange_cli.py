"""`intel import` of MISP events and feeds, `intel export --format misp|stix` checked by the
reference tools (PyMISP's MISPEvent, stix2-validator)."""

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
from shieldwall.share.misp import export_feed
from tests.unit.share.intel_world import MARK, indicator
from tests.unit.share.misp.misp_world import phishing_event


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    variables = {"SHIELDWALL_DATA_DIR": str(tmp_path / "data")}
    services = open_services(load_settings(variables))
    for org in ("alpha", "bravo"):
        accounts.add_organisation(
            services.store, OPERATOR, Organisation(org, org, OrgKind.NATION, "FR")
        )
    services.close()
    return variables


def _invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def _event_file(tmp_path: Path, name: str = "event.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(phishing_event()))
    return path


def test_a_misp_event_is_recognised_by_content_and_a_rerun_stores_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = _event_file(tmp_path, "not-named-misp.json")
    code, out, err = _invoke(env, "intel", "import", str(path), "--as", "alpha")
    assert code == 0, err
    stored = int(out.split()[1])
    assert stored >= 15
    assert "shared more narrowly than the event" in " ".join(err.split())
    code, out, _ = _invoke(env, "intel", "import", str(path), "--as", "alpha")
    assert out.startswith("stored 0 object versions, refused 0")


def test_a_misp_feed_directory_is_imported_incrementally(
    env: dict[str, str], tmp_path: Path
) -> None:
    feed = tmp_path / "feed"
    event = phishing_event()
    export_feed([event], feed)
    code, out, err = _invoke(env, "intel", "import", str(feed), "--as", "alpha")
    assert code == 0, err
    assert int(out.split()[1]) >= 15
    code, out, _ = _invoke(env, "intel", "import", str(feed), "--as", "alpha")
    assert out.startswith("stored 0 object versions")  # the held event is not read again
    (feed / f"{event['Event']['uuid']}.json").write_text("{}")  # integrity now fails
    event["Event"]["timestamp"] = str(int(event["Event"]["timestamp"]) + 60)
    export_feed([event], tmp_path / "feed2")
    code, out, _ = _invoke(env, "intel", "import", str(tmp_path / "feed2"), "--as", "alpha")
    assert int(out.split()[1]) >= 1  # the update (a newer timestamp) is a new version


def test_an_unknown_document_is_skipped_with_its_name(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "odd.json").write_text('{"hello": 1}')
    _event_file(tmp_path / "dir")
    code, out, err = _invoke(env, "intel", "import", str(tmp_path / "dir"), "--as", "alpha")
    assert code == 1  # the rest is imported, and the exit code says a file was not
    assert "1 unreadable" in out
    # the path is wrapped at the console's width wherever the temporary folder puts it
    assert "odd.json" in "".join(err.split())
    assert "neither a STIX bundle nor a MISP event" in " ".join(err.split())
    assert int(out.split()[1]) >= 15


def _bundle(tmp_path: Path, name: str, *objects: dict[str, object]) -> str:
    path = tmp_path / name
    path.write_bytes(orjson.dumps({"type": "bundle", "id": "bundle--x", "objects": objects}))
    return str(path)


def _mixed_store(env: dict[str, str], tmp_path: Path) -> None:
    _invoke(env, "intel", "import", str(_event_file(tmp_path)), "--as", "alpha")
    clear = _bundle(tmp_path, "clear.json", indicator("alpha", tlp="clear"))
    _invoke(env, "intel", "import", clear, "--as", "alpha")
    amber = indicator("alpha", tlp="amber", value="10.2.3.4")
    red = indicator("alpha", tlp="red", value="10.9.9.9")
    _invoke(
        env,
        "intel",
        "import",
        _bundle(tmp_path, "to.json", amber, red),
        "--as",
        "alpha",
        "--to",
        "bravo",
    )


def test_a_stix_export_passes_the_oasis_validator(env: dict[str, str], tmp_path: Path) -> None:
    _mixed_store(env, tmp_path)
    target = tmp_path / "out.json"
    code, _, err = _invoke(env, "intel", "export", "--for", "bravo", "--output", str(target))
    assert code == 0, err
    bundle = json.loads(target.read_text())
    types = {obj["type"] for obj in bundle["objects"]}
    assert {"indicator", "report", "threat-actor", "attack-pattern", "relationship"} <= types
    assert {"marking-definition", "observed-data", "file", "note", "identity"} <= types
    markings = {ref for obj in bundle["objects"] for ref in obj.get("object_marking_refs", ())}
    assert {MARK["clear"], MARK["green"], MARK["amber"]} <= markings
    assert MARK["red"] not in markings
    result = stix2validator.validate_instance(bundle, stix2validator.ValidationOptions())
    assert [str(error) for error in result.errors] == []
    for obj in bundle["objects"]:  # and each object on its own, as a consumer may take it
        alone = stix2validator.validate_instance(obj, stix2validator.ValidationOptions())
        assert [str(error) for error in alone.errors] == [], obj["id"]


def test_a_misp_export_loads_with_pymisp_one_event_per_report(
    env: dict[str, str], tmp_path: Path
) -> None:
    _mixed_store(env, tmp_path)
    target = tmp_path / "events.json"
    code, _, err = _invoke(
        env, "intel", "export", "--for", "bravo", "--format", "misp", "--output", str(target)
    )
    assert code == 0, err
    documents = json.loads(target.read_text())
    events = []
    for document in documents:
        event = MISPEvent()
        event.from_dict(**document)
        events.append(event)
    assert events[0].uuid == phishing_event()["Event"]["uuid"]
    assert len(events) == 2  # the report's event, and the rest in one
    values = {a.value for e in events for a in e.attributes}
    assert "198.51.100.7" in values and "10.0.0.1" in values
    assert "10.9.9.9" not in values  # TLP:RED never leaves
    assert "no sharing group is configured" in " ".join(err.split())  # AMBER to bravo


def test_a_misp_feed_export_is_readable_again(env: dict[str, str], tmp_path: Path) -> None:
    _mixed_store(env, tmp_path)
    feed = tmp_path / "feed-out"
    code, out, _ = _invoke(
        env, "intel", "export", "--for", "bravo", "--format", "misp", "--output", str(feed)
    )
    assert code == 0 and "wrote a MISP feed of 2 events" in out
    manifest = json.loads((feed / "manifest.json").read_text())
    for event_uuid in manifest:
        event = MISPEvent()
        event.load_file(feed / f"{event_uuid}.json")
        assert event.uuid == event_uuid


def test_an_unknown_format_is_refused(env: dict[str, str]) -> None:
    code, _, err = _invoke(env, "intel", "export", "--for", "bravo", "--format", "xml")
    assert code == 1 and "--format must be one of stix, misp, csv" in err


def _untagged_event_file(tmp_path: Path) -> Path:
    event = phishing_event()
    event["Event"]["Tag"] = []
    event["Event"]["distribution"] = "0"
    for attribute in event["Event"]["Attribute"]:
        attribute.pop("Tag", None)
        attribute["distribution"] = "5"
    path = tmp_path / "untagged.json"
    path.write_text(json.dumps(event))
    return path


def test_an_untagged_event_leaves_whole_for_its_importer(
    env: dict[str, str], tmp_path: Path
) -> None:
    code, _, err = _invoke(
        env, "intel", "import", str(_untagged_event_file(tmp_path)), "--as", "alpha"
    )
    assert code == 0, err
    assert "more narrowly" not in err
    target = tmp_path / "events.json"
    code, _, err = _invoke(
        env, "intel", "export", "--for", "alpha", "--format", "misp", "--output", str(target)
    )
    assert code == 0, err
    events = json.loads(target.read_text())
    assert len(events) == 1  # the event, and no empty "Shieldwall export" beside it
    event = MISPEvent()
    event.from_dict(**events[0])
    assert event.uuid == phishing_event()["Event"]["uuid"]
    assert {"198.51.100.7", "evil.example"} <= {a.value for a in event.attributes}
    assert {t.name for t in event.tags} >= {"tlp:amber+strict"}


def test_unmarked_objects_never_leave_even_towards_their_producer(
    env: dict[str, str], tmp_path: Path
) -> None:
    unmarked = indicator("alpha", tlp=None, value="10.7.7.7")
    marked = indicator("alpha", tlp="green", value="10.8.8.8")
    _invoke(env, "intel", "import", _bundle(tmp_path, "b.json", unmarked, marked), "--as", "alpha")
    for format_ in ("stix", "csv", "misp"):
        target = tmp_path / f"out.{format_}"
        code, _, err = _invoke(
            env, "intel", "export", "--for", "alpha", "--format", format_, "--output", str(target)
        )
        assert code == 0, err
        written = target.read_text()
        assert "10.8.8.8" in written and "10.7.7.7" not in written, format_
        assert f"{unmarked['id']}: unmarked objects are not exported" in " ".join(err.split())
    listed = _invoke(env, "intel", "list", "--for", "alpha")[1]
    assert unmarked["id"] in listed  # its producer still reads it; it only never leaves
