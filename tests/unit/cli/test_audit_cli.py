"""`shieldwall audit verify` and `audit head`, driven as an operator would: exit codes.

0: intact; 3: tampered, naming the entry; 1: a bad ``--against`` file, naming it. The
database is tampered with through sqlite3, as someone with access to the file would.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shieldwall.cli.main import app


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("SHIELDWALL_DATA_DIR", str(folder))
    return folder


def _run(*args: str) -> tuple[int, str]:
    """Exit code and output, the output's lines (wrapped by the terminal width) rejoined."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _line(output: str) -> str:
    return " ".join(output.split())


def _orgs(*names: str) -> None:
    for name in names:
        code, output = _run(
            "org", "add", name, "--name", name, "--kind", "nation", "--country", "FR"
        )
        assert code == 0, output


def _db(data: Path) -> sqlite3.Connection:
    return sqlite3.connect(data / "shieldwall.db", isolation_level=None)


def test_an_intact_log_exits_0_and_counts_its_genesis(data: Path) -> None:
    _orgs("alpha", "bravo")
    code, output = _run("audit", "verify")
    assert (code, "intact: 3 entries verified" in output) == (0, True)


def test_a_replayed_older_head_is_exit_0_alone_and_exit_3_against_the_exported_head(
    data: Path, tmp_path: Path
) -> None:
    _orgs("alpha", "bravo")
    with _db(data) as db:
        older = db.execute("SELECT * FROM audit_head").fetchone()
    _orgs("charlie", "delta")
    code, exported = _run("audit", "head")
    assert code == 0, exported
    kept = tmp_path / "HEAD.json"
    kept.write_text(exported)
    assert json.loads(exported)["seq"] == 4
    with _db(data) as db:
        db.execute("DELETE FROM audit_entries WHERE seq > 2")
        db.execute("DELETE FROM audit_head")
        db.execute("INSERT INTO audit_head VALUES (?, ?, ?, ?, ?, ?, ?)", older)
    assert _run("audit", "verify")[0] == 0
    code, output = _run("audit", "verify", "--against", str(kept))
    assert code == 3
    assert "entry 3 truncated" in _line(output)
    assert "the head kept elsewhere is at entry 4" in _line(output)


def test_an_exported_head_verifies_after_more_writes(data: Path, tmp_path: Path) -> None:
    _orgs("alpha")
    kept = tmp_path / "HEAD.json"
    kept.write_text(_run("audit", "head")[1])
    _orgs("bravo", "charlie")
    code, output = _run("audit", "verify", "--against", str(kept))
    assert code == 0, output
    assert "".join(f"holds the head in {kept}".split()) in "".join(output.split())


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        (
            "DELETE FROM audit_entries; DELETE FROM audit_head; DELETE FROM audit_checkpoints",
            "entry 0 deleted",
        ),
        ("DELETE FROM audit_entries WHERE seq = 0", "entry 0 deleted"),
        ("DELETE FROM audit_head", "entry 2 missing"),
        ("UPDATE audit_entries SET outcome = 'maybe' WHERE seq = 2", "entry 2: column outcome"),
        ("UPDATE audit_entries SET seq = 'two' WHERE seq = 2", "entry 'two': column seq"),
        ("UPDATE audit_head SET signature = 'not hex'", "head: column signature"),
    ],
)
def test_tampering_exits_3_naming_the_entry(data: Path, sql: str, named: str) -> None:
    _orgs("alpha", "bravo")
    with _db(data) as db:
        db.executescript(sql)
    code, output = _run("audit", "verify")
    assert code == 3, output
    assert named in _line(output)
    assert "Traceback" not in output


def test_the_head_of_a_tampered_log_is_not_exported(data: Path) -> None:
    _orgs("alpha", "bravo")
    with _db(data) as db:
        db.execute("UPDATE audit_entries SET detail = 'x' WHERE seq = 1")
    code, output = _run("audit", "head")
    assert code == 3
    assert "entry 1 changed" in output
    assert "signature" not in output.split("changed")[0]


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("not json", "not JSON"),
        ('{"format": "something-else"}', "not an exported audit head"),
        (None, "seq: must be an integer"),
        ("forged", "does not verify"),
    ],
)
def test_a_bad_against_file_exits_1_naming_it(
    data: Path, tmp_path: Path, content: str | None, named: str
) -> None:
    _orgs("alpha")
    exported = json.loads(_run("audit", "head")[1])
    kept = tmp_path / "HEAD.json"
    if content is None:
        kept.write_text(json.dumps({**exported, "seq": "1"}))
    elif content == "forged":
        kept.write_text(json.dumps({**exported, "seq": exported["seq"] + 5}))
    else:
        kept.write_text(content)
    code, output = _run("audit", "verify", "--against", str(kept))
    assert code == 1, output
    squeezed = "".join(output.split())  # the terminal wraps a long path anywhere
    assert str(kept) in squeezed
    assert "".join(named.split()) in squeezed
