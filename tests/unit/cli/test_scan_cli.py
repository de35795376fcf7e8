"""``shieldwall scan`` end to end over the real stages, on logs and rules written here."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from shieldwall.cli import scan as scan_cli

RULE = """\
title: Paste site download
id: 11111111-2222-3333-4444-555555555555
status: test
logsource:
    category: proxy
detection:
    selection:
        url.original|contains: pastebin
    condition: selection
level: high
tags:
    - attack.t1059.001
    - attack.execution
"""
CORRELATION = """\
title: Repeated paste site downloads
id: 11111111-2222-3333-4444-666666666666
status: test
correlation:
    type: event_count
    rules:
        - 11111111-2222-3333-4444-555555555555
    group-by:
        - user.name
    timespan: 10m
    condition:
        gte: 2
    generate: true
level: critical
"""


def _event(second: int, url: str, user: str = "alice") -> str:
    stamp = f"2024-05-01T10:00:{second:02d}+02:00"
    web = {"category": ["web"], "type": ["access"]}  # an ECS proxy log: the proxy category
    return json.dumps(
        {"@timestamp": stamp, "event": web, "url": {"original": url}, "user": {"name": user}}
    )


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()
    scan_cli.register(application)

    @application.command("noop")
    def _noop() -> None:
        """A second command, so Typer keeps ``scan`` as a named subcommand."""

    return application


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "paste.yml").write_text(RULE, encoding="utf-8")
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.jsonl").write_text(
        "\n".join([_event(0, "https://pastebin.com/x"), _event(1, "https://example.com/")])
        + "\n{broken\n",
        encoding="utf-8",
    )
    (logs / "b.jsonl").write_text(_event(2, "http://pastebin.com/y") + "\n", encoding="utf-8")
    return tmp_path


def _scan(app: typer.Typer, workspace: Path, *extra: str) -> tuple[int, str, str]:
    args = ["scan", str(workspace / "logs"), "--rules", str(workspace / "rules"), *extra]
    env = {"SHIELDWALL_DATA_DIR": str(workspace / "data"), "COLUMNS": "240"}
    result = CliRunner().invoke(app, args, env=env)
    return result.exit_code, result.stdout, result.stderr


def _lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_jsonl_has_one_object_per_detection_with_the_documented_fields(app, workspace) -> None:
    code, stdout, stderr = _scan(app, workspace)
    assert code == 0, stderr
    lines = _lines(stdout)
    assert len(lines) == 2
    first = next(line for line in lines if line["source"]["path"].endswith("a.jsonl"))
    assert first["rule_id"] == "11111111-2222-3333-4444-555555555555"
    assert first["rule_title"] == "Paste site download"
    assert first["level"] == "high"
    assert first["kind"] == "rule"
    assert first["tags"] == ["attack.t1059.001", "attack.execution"]
    assert first["attack"] == [{"id": "T1059.001", "name": "PowerShell", "tactics": ["execution"]}]
    assert first["timestamp"] == "2024-05-01T08:00:00Z"
    assert first["source"]["record_id"] == 1
    assert first["matched"] == {"url.original": "https://pastebin.com/x"}
    assert first["event"]["user.name"] == "alice"


def test_the_summary_and_problems_go_to_stderr(app, workspace) -> None:
    code, stdout, stderr = _scan(app, workspace)
    assert code == 0
    assert "rules loaded" in stderr
    assert "Paste site download" in stderr
    assert "T1059.001" in stderr
    assert "1 input problem" in stderr and "a.jsonl:line 3" in stderr
    assert "rules loaded" not in stdout


def test_csv_to_a_file(app, workspace) -> None:
    target = workspace / "out.csv"
    code, stdout, _ = _scan(app, workspace, "--format", "csv", "--output", str(target))
    assert code == 0
    assert stdout == ""
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == 2
    assert {row["techniques"] for row in rows} == {"T1059.001"}
    assert {row["tactics"] for row in rows} == {"execution"}
    assert json.loads(rows[0]["matched"])["url.original"].startswith("http")
    assert {row["record_id"] for row in rows} == {"1"}


def test_table_format_lists_the_detections(app, workspace) -> None:
    code, stdout, _ = _scan(app, workspace, "--format", "table")
    assert code == 0
    assert stdout.count("Paste site download") == 2
    assert "T1059.001" in stdout


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--level", "critical", 0),
        ("--level", "high", 2),
        ("--tag", "attack.t1059*", 2),
        ("--tag", "attack.t1003", 0),
        ("--rule-id", "11111111-2222-3333-4444-555555555555", 2),
        ("--status", "stable", 0),
    ],
)
def test_rule_selection_options(app, workspace, option, value, expected) -> None:
    code, stdout, stderr = _scan(app, workspace, option, value)
    if expected:
        assert code == 0, stderr
        assert len(_lines(stdout)) == expected
    else:
        assert code == 2
        assert "no rule could be loaded" in stderr


def test_forced_input_format(app, workspace) -> None:
    code, stdout, _ = _scan(app, workspace, "--input-format", "json")
    assert code == 0
    assert len(_lines(stdout)) == 2


def test_jobs_two_writes_the_same_detections(app, workspace) -> None:
    _, serial, _ = _scan(app, workspace, "--jobs", "1")
    code, parallel, stderr = _scan(app, workspace, "--jobs", "2")
    assert code == 0, stderr
    assert sorted(parallel.splitlines()) == sorted(serial.splitlines())


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_correlation_detections_carry_kind_group_count_and_events(app, workspace, jobs) -> None:
    """The two detections behind the correlation are in different files: with --jobs 2 they
    come from different workers, and the correlation in the parent still sees both."""
    (workspace / "rules" / "burst.yml").write_text(CORRELATION, encoding="utf-8")
    code, stdout, stderr = _scan(app, workspace, "--jobs", jobs)
    assert code == 0, stderr
    lines = _lines(stdout)
    burst = [line for line in lines if line["kind"] == "event_count"]
    assert len(burst) == 1
    assert burst[0]["level"] == "critical"
    assert burst[0]["group"] == {"user.name": "alice"}
    assert burst[0]["count"] == 2
    assert sorted(Path(ref["path"]).name for ref in burst[0]["events"]) == ["a.jsonl", "b.jsonl"]
    assert [ref["record_id"] for ref in burst[0]["events"]] == [1, 1]
    assert all(ref["timestamp"].endswith("Z") for ref in burst[0]["events"])
    assert sum(line["kind"] == "rule" for line in lines) == 2


HOSTILE_RULE = """\
title: Backtracking bomb
id: 11111111-2222-3333-4444-777777777777
logsource:
    category: proxy
detection:
    selection:
        url.original|re: '^(a|aa)+$(?<=a)'
    condition: selection
level: low
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_rule_past_its_budget_is_disabled_named_and_the_scan_goes_on(
    app, workspace, jobs
) -> None:
    """A lookbehind sends the expression to the budgeted fallback; 5,000 ``a`` and a ``!``
    would keep it backtracking for hours. The rule is switched off and named once (however
    many workers met it), every event is still matched by the other rules, and the rule
    no longer fires on ``aa``, which it would match."""
    (workspace / "rules" / "bomb.yml").write_text(HOSTILE_RULE, encoding="utf-8")
    hostile = [_event(3, "a" * 5000 + "!"), _event(4, "https://pastebin.com/"), _event(5, "aa")]
    (workspace / "logs" / "c.jsonl").write_text("\n".join(hostile) + "\n", encoding="utf-8")
    (workspace / "logs" / "d.jsonl").write_text(hostile[0] + "\n", encoding="utf-8")
    code, stdout, stderr = _scan(app, workspace, "--jobs", jobs)
    assert code == 0, stderr
    pastes = [line for line in _lines(stdout) if line["rule_title"] == "Paste site download"]
    assert len(pastes) == 3
    assert "1 rule(s) disabled during the scan" in stderr
    assert stderr.count("bomb.yml:11111111-2222-3333-4444-777777777777: disabled") == 1
    assert "Backtracking bomb" not in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "{tmp}/absent", "--rules", "{tmp}/rules"], "log path does not exist"),
        (["scan", "{tmp}/logs", "--rules", "{tmp}/absent"], "rule path does not exist"),
        (["scan", "{tmp}/logs", "--rules", "{tmp}/logs"], "no rule could be loaded"),
        (["scan", "{tmp}/logs", "--rules", "{tmp}/rules", "--format", "xml"], "xml"),
        (["scan", "{tmp}/logs", "--rules", "{tmp}/rules", "--jobs", "0"], "--jobs"),
        (["scan", "{tmp}/logs", "--rules", "{tmp}/rules", "--level", "severe"], "severe"),
        (["scan", "{tmp}/logs"], "--rules"),
        (["scan", "{tmp}/logs", "-r", "{tmp}/rules", "-o", "{tmp}/no/dir/out"], "cannot write"),
        (["scan", "{tmp}/logs", "-r", "{tmp}/rules", "-o", "{tmp}/logs"], "cannot write"),
    ],
)
def test_usage_errors_exit_with_2(app, workspace, args, message) -> None:
    argv = [arg.format(tmp=workspace) for arg in args]
    result = CliRunner().invoke(app, argv, env={"SHIELDWALL_DATA_DIR": str(workspace / "data")})
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_corrupt_attack_table_in_the_data_directory_is_a_usage_error(app, workspace) -> None:
    table = workspace / "data" / "attack" / "techniques.json"
    table.parent.mkdir(parents=True)
    table.write_text("[", encoding="utf-8")
    code, _, stderr = _scan(app, workspace)
    assert code == 2
    assert "techniques.json" in stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_malformed_placeholder_file_is_a_usage_error(app, workspace, jobs) -> None:
    bad = workspace / "placeholders.yml"
    bad.write_text("admins: [unclosed\n", encoding="utf-8")
    code, stdout, stderr = _scan(app, workspace, "--placeholders", str(bad), "--jobs", jobs)
    assert code == 2
    assert "placeholders.yml" in stderr
    assert stdout == ""


def test_a_reader_that_leaves_early_stops_the_scan_quietly(workspace: Path) -> None:
    many = "\n".join(_event(n % 60, f"https://pastebin.com/{n}") for n in range(5000))
    (workspace / "logs" / "many.jsonl").write_text(many + "\n", encoding="utf-8")
    program = (
        "import typer; from shieldwall.cli import scan; app = typer.Typer(); "
        "scan.register(app); app.command('noop')(lambda: None); app()"
    )
    argv = [sys.executable, "-c", program, "scan", str(workspace / "logs")]
    argv += ["--rules", str(workspace / "rules")]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stderr is not None
        first = child.stdout.read(100)
        child.stdout.close()
        stderr = child.stderr.read().decode()
        code = child.wait(timeout=60)
    assert first.startswith(b'{"rule_id"')
    assert code == 0
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_the_rule_cache_lives_in_the_data_directory_unless_told(app, workspace) -> None:
    first = _scan(app, workspace)
    assert first[0] == 0, first[2]
    packs = list((workspace / "data" / "rule-cache").glob("rules-*.json"))
    assert len(packs) == 1
    second = _scan(app, workspace)
    assert sorted(second[1].splitlines()) == sorted(first[1].splitlines())
    assert len(_lines(second[1])) == 2
    elsewhere = workspace / "elsewhere"
    assert _scan(app, workspace, "--cache", str(elsewhere))[0] == 0
    assert list(elsewhere.glob("rules-*.json"))
    packs[0].unlink()
    assert _scan(app, workspace, "--no-cache")[0] == 0
    assert not list((workspace / "data" / "rule-cache").glob("rules-*.json"))


def test_jobs_defaults_to_the_cores_this_process_may_use(app, workspace, monkeypatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2}, raising=False)
    assert scan_cli.default_jobs() == 3
    seen: list[int] = []
    real_scan = scan_cli.scan

    def spy(*args, **kwargs):
        seen.append(kwargs["jobs"])
        return real_scan(*args, **{**kwargs, "jobs": 1})

    monkeypatch.setattr(scan_cli, "scan", spy)
    assert _scan(app, workspace)[0] == 0
    assert _scan(app, workspace, "--jobs", "2")[0] == 0
    assert seen == [3, 2]


def test_without_affinity_the_machine_count_is_the_default(monkeypatch) -> None:
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert scan_cli.default_jobs() == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert scan_cli.default_jobs() == 6
