"""MISP feed directories: reading, sync, integrity, PGP, writing (M1–M3, M16–M18, M23)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pymisp import MISPEvent

from shieldwall.model.errors import InputError, IntegrityError
from shieldwall.share.misp import (
    FeedOptions,
    MispLimits,
    PgpSigner,
    PgpVerifier,
    export_feed,
    is_update,
    load_event_file,
    read_feed,
    stix_to_misp_event,
)
from tests.unit.share.misp.misp_world import export_context, imported, phishing_event


def _event(number: int, stamp: int) -> dict[str, Any]:
    event = phishing_event()
    event["Event"]["uuid"] = f"5e3c2b1a-0000-4000-8000-{number:012d}"
    event["Event"]["timestamp"] = str(stamp)
    return event


def _feed(tmp_path: Path, *events: dict[str, Any], signer: Any = None) -> Path:
    export_feed(events, tmp_path, signer=signer)
    return tmp_path


def test_M1_feed_is_read_from_manifest_and_event_files(tmp_path: Path) -> None:
    feed = _feed(tmp_path, _event(1, 1000), _event(2, 900))
    items = list(read_feed(feed))
    assert [(i.uuid[-1], i.timestamp) for i in items] == [("2", 900), ("1", 1000)]
    assert all(i.event is not None and i.problem is None for i in items)


def test_M1_tampered_event_file_fails_its_manifest_sha256(tmp_path: Path) -> None:
    feed = _feed(tmp_path, _event(1, 1000), _event(2, 1001))
    path = feed / "5e3c2b1a-0000-4000-8000-000000000001.json"
    path.write_bytes(path.read_bytes().replace(b"198.51.100.7", b"198.51.100.8"))
    items = list(read_feed(feed))
    assert isinstance(items[0].problem, IntegrityError)
    assert items[1].event is not None  # the rest of the pull goes on


def test_M1_event_that_disagrees_with_its_manifest_is_a_problem(tmp_path: Path) -> None:
    feed = _feed(tmp_path, _event(1, 1000))
    manifest = json.loads((feed / "manifest.json").read_text())
    entry = manifest["5e3c2b1a-0000-4000-8000-000000000001"]
    entry["timestamp"] = "999"
    (feed / "manifest.json").write_text(json.dumps(manifest))
    [item] = list(read_feed(feed))
    assert isinstance(item.problem, InputError)
    assert "timestamp" in str(item.problem)


def test_M1_missing_manifest_or_bad_manifest_stops_the_pull(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing"):
        list(read_feed(tmp_path))
    (tmp_path / "manifest.json").write_text('{"not-a-uuid": {"timestamp": "1"}}')
    with pytest.raises(InputError, match="not a UUID"):
        list(read_feed(tmp_path))


def test_M1_hashes_csv_lists_md5_of_every_value_with_its_event(tmp_path: Path) -> None:
    feed = _feed(tmp_path, _event(1, 1000))
    lines = (feed / "hashes.csv").read_text().splitlines()
    digest = hashlib.md5(b"198.51.100.7").hexdigest()
    assert f"{digest},5e3c2b1a-0000-4000-8000-000000000001" in lines
    assert len(lines) == 6  # four attributes and the two of the file object


def test_M2_incremental_pull_returns_only_newer_events(tmp_path: Path) -> None:
    feed = _feed(tmp_path, _event(1, 1000), _event(2, 1001))
    known = {
        "5e3c2b1a-0000-4000-8000-000000000001": 1000,
        "5e3c2b1a-0000-4000-8000-000000000002": 500,
    }
    assert [i.uuid[-1] for i in read_feed(feed, known=known)] == ["2"]


def test_M3_same_or_older_timestamp_is_not_an_update() -> None:
    held = {"u": 1000}
    assert (
        is_update("u", 999, held),
        is_update("u", 1000, held),
        is_update("u", 1001, held),
        is_update("v", 0, held),
    ) == (False, False, True, True)


def test_M23_pull_is_limited_and_resumes_where_it_stopped(tmp_path: Path) -> None:
    feed = _feed(tmp_path, *(_event(n, 1000 + n) for n in range(1, 6)))
    options = FeedOptions(limits=MispLimits(max_events_per_pull=2))
    known: dict[str, int] = {}
    pulls = []
    while batch := list(read_feed(feed, known=known, options=options)):
        pulls.append([i.uuid[-1] for i in batch])
        known.update({i.uuid: i.timestamp for i in batch})
    assert pulls == [["1", "2"], ["3", "4"], ["5"]]


def test_M23_oversized_event_file_is_refused_before_parsing(tmp_path: Path) -> None:
    feed = _feed(tmp_path, _event(1, 1000))
    options = FeedOptions(limits=MispLimits(max_event_bytes=100))
    [item] = list(read_feed(feed, options=options))
    assert isinstance(item.problem, InputError)
    assert "exceeds the limit" in str(item.problem)


def test_M16_manifest_carries_sha256_integrity_of_each_event_file(tmp_path: Path) -> None:
    feed = _feed(tmp_path, _event(1, 1000))
    manifest = json.loads((feed / "manifest.json").read_text())
    event_uuid = "5e3c2b1a-0000-4000-8000-000000000001"
    data = (feed / f"{event_uuid}.json").read_bytes()
    assert manifest[event_uuid]["integrity"] == {"sha256": hashlib.sha256(data).hexdigest()}
    assert manifest[event_uuid]["info"] == "Phishing <script>alert(1)</script> wave"


def test_M16_feed_of_exported_events_loads_in_pymisp(tmp_path: Path) -> None:
    result = imported(_event(1, 1000))
    exported = stix_to_misp_event(result.objects, context=export_context(result.descriptors))
    feed = _feed(tmp_path, exported.event)
    event = MISPEvent()
    event.load_file(str(feed / "5e3c2b1a-0000-4000-8000-000000000001.json"))
    assert event.uuid == "5e3c2b1a-0000-4000-8000-000000000001"


def test_M17_feed_drops_sighting_organisations_unless_allowed(tmp_path: Path) -> None:
    feed = _feed(tmp_path, _event(1, 1000))
    text = (feed / "5e3c2b1a-0000-4000-8000-000000000001.json").read_text()
    assert "SOC B" not in text
    assert '"Sighting"' in text


def test_M18_changed_event_with_the_same_timestamp_is_bumped(tmp_path: Path) -> None:
    first = export_feed([_event(1, 1000)], tmp_path)
    again = export_feed([_event(1, 1000)], tmp_path)
    changed = _event(1, 1000)
    changed["Event"]["info"] = "updated"
    bumped = export_feed([changed], tmp_path)
    uuid = "5e3c2b1a-0000-4000-8000-000000000001"
    assert (first[uuid], again[uuid], bumped[uuid]) == (1000, 1000, 1001)
    assert load_event_file(tmp_path / f"{uuid}.json")["Event"]["timestamp"] == "1001"


def test_M18_events_no_longer_in_the_feed_are_removed(tmp_path: Path) -> None:
    export_feed([_event(1, 1000), _event(2, 1000)], tmp_path)
    export_feed([_event(2, 1000)], tmp_path)
    assert not (tmp_path / "5e3c2b1a-0000-4000-8000-000000000001.json").exists()
    assert [i.uuid[-1] for i in read_feed(tmp_path)] == ["2"]


@pytest.fixture(scope="module")
def pgp_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throwaway ed25519 key: (GnuPG home, exported public keyring)."""
    if shutil.which("gpg") is None or shutil.which("gpgv") is None:
        pytest.skip("GnuPG is not installed")
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    subprocess.run(
        [
            "gpg",
            "--homedir",
            str(home),
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "Feed Test <feed@example.org>",
            "ed25519",
            "sign",
            "never",
        ],
        check=True,
        capture_output=True,
    )
    keyring = home / "public.gpg"
    exported = subprocess.run(
        ["gpg", "--homedir", str(home), "--export"], check=True, capture_output=True
    ).stdout
    keyring.write_bytes(exported)
    return home, keyring


def test_M1_pgp_signed_feed_verifies_and_a_forged_file_does_not(
    tmp_path: Path, pgp_key: tuple[Path, Path]
) -> None:
    home, keyring = pgp_key
    signer = PgpSigner(home, "feed@example.org")
    feed = _feed(tmp_path, _event(1, 1000), signer=signer)
    options = FeedOptions(verifier=PgpVerifier(keyring), require_signature=True)
    assert [i.problem for i in read_feed(feed, options=options)] == [None]
    event_path = feed / "5e3c2b1a-0000-4000-8000-000000000001.json"
    manifest = json.loads((feed / "manifest.json").read_text())
    forged = event_path.read_bytes().replace(b"CERT-Example", b"CERT-Forged")
    event_path.write_bytes(forged)
    manifest["5e3c2b1a-0000-4000-8000-000000000001"]["integrity"]["sha256"] = hashlib.sha256(
        forged
    ).hexdigest()
    manifest_bytes = json.dumps(manifest).encode()
    (feed / "manifest.json").write_bytes(manifest_bytes)
    (feed / "manifest.json.asc").write_bytes(signer.sign(manifest_bytes))
    [item] = list(read_feed(feed, options=options))
    assert isinstance(item.problem, IntegrityError)
    assert "bad PGP signature" in str(item.problem)


def test_M1_unsigned_feed_is_refused_when_a_signature_is_required(tmp_path: Path) -> None:
    feed = _feed(tmp_path, _event(1, 1000))
    with pytest.raises(IntegrityError, match="no PGP signature"):
        list(read_feed(feed, options=FeedOptions(require_signature=True)))
