"""The scan runtime over fake stages: composition, counting, problems, jobs, correlation."""

from __future__ import annotations

import json
import multiprocessing
from collections import Counter
from pathlib import Path

import pytest

from shieldwall.detect.attack import AttackCatalogue
from shieldwall.model.detection import Detection, Level
from shieldwall.model.errors import InputError, ShieldwallError
from shieldwall.scan.run import scan
from shieldwall.scan.summary import ScanProgress
from tests.unit.scan.scan_fakes import FAKE_STAGES, write_log, write_rule


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    directory = tmp_path / "rules"
    write_rule(directory, "ps", "powershell", tags=["attack.t1059.001", "attack.execution"])
    write_rule(directory, "who", "whoami", level="high")
    return directory


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    directory = tmp_path / "logs"
    write_log(directory / "a.log", ["powershell -enc", "notepad", None, "whoami"])
    write_log(directory / "b.log", ["whoami /all", "powershell whoami"])
    write_log(directory / "c.log", ["calc"] * 5)
    return directory


def _run(logs: Path, rules: Path, catalogue: AttackCatalogue, **options: object) -> tuple:
    run = scan([logs], [rules], stages=FAKE_STAGES, catalogue=catalogue, **options)  # type: ignore[arg-type]
    return list(run), run.summary


def _key(detection: Detection) -> tuple[str, str, int | None]:
    assert detection.source is not None
    return detection.rule_id, Path(detection.source.path).name, detection.source.record_id


def test_detections_stream_in_file_and_record_order(logs, rules, catalogue) -> None:
    detections, _ = _run(logs, rules, catalogue)
    assert [_key(d) for d in detections] == [
        ("ps", "a.log", 1),
        ("who", "a.log", 4),
        ("who", "b.log", 1),
        ("ps", "b.log", 2),
        ("who", "b.log", 2),
    ]


def test_attack_is_filled_from_the_catalogue(logs, rules, catalogue) -> None:
    detections, _ = _run(logs, rules, catalogue)
    powershell = next(d for d in detections if d.rule_id == "ps")
    assert [(t.id, t.name, t.tactics) for t in powershell.attack] == [
        ("T1059.001", "PowerShell", ("execution",))
    ]
    assert next(d for d in detections if d.rule_id == "who").attack == ()


def test_summary_counts_what_was_scanned(logs, rules, catalogue) -> None:
    _, summary = _run(logs, rules, catalogue)
    assert (summary.files, summary.events, summary.detections) == (3, 10, 5)
    assert summary.rules_loaded == 2
    assert summary.rule_files_read == 2
    assert summary.by_level == Counter({Level.HIGH: 3, Level.MEDIUM: 2})
    assert summary.by_rule == Counter({"who": 3, "ps": 2})
    assert summary.rule_titles["who"] == "Rule who"
    assert summary.by_technique == Counter({"T1059.001": 2})
    assert summary.scan_seconds > 0
    assert summary.events_per_second == summary.events / summary.scan_seconds


def test_a_corrupt_record_is_reported_and_the_scan_goes_on(logs, rules, catalogue) -> None:
    seen: list[InputError] = []
    detections, summary = _run(logs, rules, catalogue, on_problem=seen.append)
    assert [(Path(p.source).name, p.place) for p in seen] == [("a.log", "line 3")]
    assert summary.problem_count == 1
    assert summary.problems == seen
    assert len(detections) == 5


def test_an_event_that_fails_to_normalise_is_reported(tmp_path, rules, catalogue) -> None:
    log = tmp_path / "x.log"
    log.write_text('{"other": 1}\n{"msg": "whoami"}\n', encoding="utf-8")
    seen: list[InputError] = []
    detections, summary = _run(log, rules, catalogue, on_problem=seen.append)
    assert [p.place for p in seen] == ["msg"]
    assert (summary.events, len(detections)) == (1, 1)


def test_rule_problems_are_listed_and_good_rules_still_run(logs, rules, catalogue) -> None:
    (rules / "broken.json").write_text("{", encoding="utf-8")
    detections, summary = _run(logs, rules, catalogue)
    assert summary.rules_failed == 1
    assert summary.rule_problems[0].source.endswith("broken.json")
    assert list(summary.rule_failures_by_reason().values()) == [1]
    assert len(detections) == 5


def test_progress_reports_each_file_up_to_the_total(logs, rules, catalogue) -> None:
    progress: list[ScanProgress] = []
    _run(logs, rules, catalogue, on_progress=progress.append)
    assert [p.files_done for p in progress] == [1, 2, 3]
    assert progress[-1].bytes_done == progress[-1].bytes_total > 0
    assert progress[-1].events == 10


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda logs, rules: ([logs / "absent"], [rules]), "log path does not exist"),
        (lambda logs, rules: ([logs], [rules / "absent"]), "rule path does not exist"),
        (lambda logs, rules: ([], [rules]), "no log path given"),
        (lambda logs, rules: ([logs], []), "no rule path given"),
    ],
)
def test_bad_paths_are_usage_errors(logs, rules, make_args, message) -> None:
    paths, rule_paths = make_args(logs, rules)
    with pytest.raises(InputError, match=message):
        scan(paths, rule_paths, stages=FAKE_STAGES)


def test_no_rule_loaded_is_a_usage_error(tmp_path, logs) -> None:
    rules = tmp_path / "bad-rules"
    rules.mkdir()
    (rules / "x.json").write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match=r"no rule could be loaded \(1 failed\)"):
        scan([logs], [rules], stages=FAKE_STAGES)


def test_jobs_below_one_is_refused(logs, rules) -> None:
    with pytest.raises(InputError, match="jobs must be at least 1"):
        scan([logs], [rules], jobs=0, stages=FAKE_STAGES)


def test_selection_is_passed_to_the_rule_loader(logs, rules, catalogue) -> None:
    detections, summary = _run(logs, rules, catalogue, selection=Level.HIGH)
    assert {d.rule_id for d in detections} == {"who"}
    assert summary.rules_loaded == 1


def test_jobs_two_finds_the_same_detections_and_counts(logs, rules, catalogue) -> None:
    serial, serial_summary = _run(logs, rules, catalogue)
    problems: list[InputError] = []
    parallel, summary = _run(logs, rules, catalogue, jobs=2, on_problem=problems.append)
    assert sorted(map(_key, parallel)) == sorted(map(_key, serial))
    assert (summary.files, summary.events, summary.by_rule) == (
        serial_summary.files,
        serial_summary.events,
        serial_summary.by_rule,
    )
    assert [p.place for p in problems] == ["line 3"]
    assert all(d.attack for d in parallel if d.rule_id == "ps")


def test_within_a_file_jobs_keep_record_order(tmp_path, rules, catalogue) -> None:
    logs = tmp_path / "many"
    for number in range(4):
        write_log(logs / f"{number}.log", ["whoami"] * 600)
    detections, _ = _run(logs, rules, catalogue, jobs=2)
    by_file: dict[str, list[int]] = {}
    for detection in detections:
        assert detection.source is not None and detection.source.record_id is not None
        by_file.setdefault(detection.source.path, []).append(detection.source.record_id)
    assert all(ids == sorted(ids) and len(ids) == 600 for ids in by_file.values())


def test_a_worker_that_cannot_build_its_engine_fails_the_scan(logs, rules, catalogue) -> None:
    write_rule(rules, "explode", "EXPLODE")
    with pytest.raises(ShieldwallError, match="engine refused the rule set"):
        list(scan([logs], [rules], jobs=2, stages=FAKE_STAGES, catalogue=catalogue))
    assert multiprocessing.active_children() == []


def test_a_worker_that_dies_mid_scan_fails_the_scan_naming_it(logs, rules, catalogue) -> None:
    write_log(logs / "die-now.log", ["whoami"])
    with pytest.raises(ShieldwallError, match=r"scan worker \d died \(exit code 7\)"):
        list(scan([logs], [rules], jobs=2, stages=FAKE_STAGES, catalogue=catalogue))
    assert multiprocessing.active_children() == []


def test_abandoning_a_parallel_scan_stops_its_workers(logs, rules, catalogue) -> None:
    stream = iter(scan([logs], [rules], jobs=2, stages=FAKE_STAGES, catalogue=catalogue))
    assert isinstance(next(stream), Detection)
    stream.close()  # type: ignore[attr-defined]
    assert multiprocessing.active_children() == []


def _correlation(rules: Path, **spec: object) -> None:
    data = {"id": "burst", "title": "Burst", "correlation": "who", "count": 2, **spec}
    (rules / "burst.json").write_text(json.dumps(data), encoding="utf-8")


def test_correlations_see_detections_of_every_file(logs, rules, catalogue) -> None:
    _correlation(rules, tags=["attack.t1059.001"])
    detections, summary = _run(logs, rules, catalogue, jobs=2)
    burst = [d for d in detections if d.rule_id == "burst"]
    assert len(burst) == 1
    assert burst[0].kind == "event_count"
    assert burst[0].count == 2
    assert burst[0].attack[0].id == "T1059.001"
    assert summary.by_rule["burst"] == 1
    assert summary.rules_loaded == 3


def test_a_base_rule_a_correlation_hides_is_not_emitted(logs, rules, catalogue) -> None:
    _correlation(rules, hide_base=True)
    detections, summary = _run(logs, rules, catalogue)
    assert "who" not in {d.rule_id for d in detections}
    assert summary.by_rule["burst"] == 1
    assert "who" not in summary.by_rule


def test_correlations_are_flushed_at_the_end(logs, rules, catalogue) -> None:
    _correlation(rules, count=99, at_flush=True)
    detections, _ = _run(logs, rules, catalogue)
    assert detections[-1].rule_id == "burst"
    assert detections[-1].count == 3


def test_a_bad_correlation_is_a_rule_problem_and_the_rest_run(logs, rules, catalogue) -> None:
    _correlation(rules, correlation="nonexistent")
    detections, summary = _run(logs, rules, catalogue)
    assert [p.rule_id for p in summary.rule_problems] == ["burst"]
    assert (summary.rules_loaded, summary.rules_failed) == (2, 1)
    assert len(detections) == 5


def test_no_rule_loaded_is_a_usage_error_with_jobs_too(tmp_path, logs) -> None:
    rules = tmp_path / "bad-rules"
    rules.mkdir()
    (rules / "x.json").write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="no rule could be loaded"):
        scan([logs], [rules], jobs=2, stages=FAKE_STAGES)
    assert multiprocessing.active_children() == []


def test_worker_memory_is_reported_only_with_jobs(logs, rules, catalogue) -> None:
    _, serial = _run(logs, rules, catalogue)
    _, parallel = _run(logs, rules, catalogue, jobs=2)
    assert serial.worker_peak_rss_kib == 0
    assert parallel.worker_peak_rss_kib > 1024
    assert len(parallel.worker_cpu_seconds) == 2
    assert all(seconds > 0 for seconds in parallel.worker_cpu_seconds)


def test_a_scan_is_iterated_once(logs, rules, catalogue) -> None:
    run = scan([logs], [rules], stages=FAKE_STAGES, catalogue=catalogue)
    assert len(list(run)) == 5
    with pytest.raises(ShieldwallError, match="only once"):
        list(run)
    assert run.summary.detections == 5
