"""Expand the paths a user gives into the files to read, in a stable order."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def discover_files(paths: Sequence[Path]) -> list[Path]:
    """Return the files named, plus every file under the directories named, sorted.

    Files given explicitly are kept even if hidden; inside directories, hidden files and
    directories (names starting with ``.``) are skipped, as editors and VCS leave them there.
    Duplicates (a file given and also found under a directory) appear once. A path that does
    not exist is returned as is, so the reader reports it with the other unreadable files.
    """
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(_walk(path))
        else:
            found.add(path)
    return sorted(found)


def _walk(directory: Path) -> list[Path]:
    files: list[Path] = []
    for child in directory.rglob("*"):
        relative = child.relative_to(directory)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if child.is_file():
            files.append(child)
    return files
