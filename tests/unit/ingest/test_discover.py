"""discover_files: files as given, directories recursively, sorted, each file once."""

from pathlib import Path

from shieldwall.ingest import discover_files


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    return path


def test_directories_are_walked_recursively_and_sorted(tmp_path: Path) -> None:
    b = _touch(tmp_path / "logs" / "b.log")
    a = _touch(tmp_path / "logs" / "sub" / "a.log")
    c = _touch(tmp_path / "logs" / "c.evtx")
    assert discover_files([tmp_path / "logs"]) == sorted([a, b, c])


def test_a_file_given_twice_or_inside_a_given_directory_appears_once(tmp_path: Path) -> None:
    a = _touch(tmp_path / "a.log")
    assert discover_files([a, tmp_path, a]) == [a]


def test_hidden_entries_inside_directories_are_skipped(tmp_path: Path) -> None:
    kept = _touch(tmp_path / "kept.log")
    _touch(tmp_path / ".git" / "objects" / "x")
    _touch(tmp_path / ".hidden.log")
    assert discover_files([tmp_path]) == [kept]


def test_missing_path_is_passed_on_for_the_reader_to_report(tmp_path: Path) -> None:
    missing = tmp_path / "nope.log"
    assert discover_files([missing]) == [missing]
