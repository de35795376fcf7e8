"""Checklist ids: their scheme, finding them in source text, and reading them from the docs.

The code and tests cite items of four external checklists by short ids (``T33``, ``V7``,
``M-windash``, ``tlp-policy.md rule c``). ``docs/conformance/`` explains every cited id in
the project's own words. This module knows the shape of each id scheme, so the test can
check both directions without reading the checklists themselves: every id cited in
``src/`` and ``tests/`` has an entry, and no entry names an id the scheme does not have.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

NUMBERED: dict[str, tuple[str, int]] = {
    "T": ("taxii21.md", 52),
    "V": ("sigma.md", 13),
    "C": ("sigma.md", 12),
    "R": ("sigma.md", 15),
    "F": ("sigma.md", 4),
    "L": ("sigma.md", 3),
    "M": ("misp.md", 24),
}
"""Letter → (page, highest number). ``M`` + number is MISP; ``M-`` + name is Sigma."""

MODIFIERS = [
    "all",
    "startswith",
    "endswith",
    "contains",
    "exists",
    "cased",
    "neq",
    "windash",
    "re",
    "re-i",
    "re-m",
    "re-s",
    "base64",
    "base64offset",
    "utf16le",
    "utf16be",
    "utf16",
    "wide",
    "lt",
    "lte",
    "gt",
    "gte",
    "minute",
    "hour",
    "day",
    "week",
    "month",
    "year",
    "cidr",
    "expand",
    "fieldref",
]
"""Sigma v2.1 value modifiers, cited as ``M-<name>`` (``re|i`` is written ``M-re-i``)."""

TLP_RULES = "abcde"
"""The lettered extra rules of the TLP policy, cited as ``tlp-policy.md rule c``."""

_NUMBERED = re.compile(r"(?<![A-Za-z0-9])([TVCRFLM])([1-9][0-9]?)(?![A-Za-z0-9])")
_RANGE = re.compile(
    r"(?<![A-Za-z0-9])([TVCRFLM])([1-9][0-9]?)\s*[-\u2013]\s*\1([1-9][0-9]?)(?![A-Za-z0-9])"
)
_MODIFIER = re.compile(r"(?<![A-Za-z0-9])M-([a-z0-9]+(?:-[a-z0-9]+)*)")
_TLP = re.compile(
    r"(?:tlp-policy|tlp)\.md`{0,2}\s+rules?\s+"
    r"([a-e](?:(?:,\s*|,?\s+and\s+)[a-e])*)(?![a-z])"
)
_ID = r"(?:[Rr]ule [a-e]|\S+)"
_HEADING = re.compile(rf"^### ({_ID})(?=\s|$)", re.MULTILINE)
_NOT_YET = re.compile(rf"^- \*\*({_ID})\*\* \(not yet covered\)", re.MULTILINE)


def scheme() -> dict[str, str]:
    """Every id the schemes allow, mapped to the page of ``docs/conformance/`` that holds it."""
    ids = {
        f"{letter}{number}": page
        for letter, (page, highest) in NUMBERED.items()
        for number in range(1, highest + 1)
    }
    ids.update({f"M-{name}": "sigma.md" for name in MODIFIERS})
    ids.update({f"rule {letter}": "tlp.md" for letter in TLP_RULES})
    return ids


def cited_ids(text: str) -> set[str]:
    """The ids one text cites, ranges (``T17-T32``) expanded; unknown ones kept as found."""
    found = {letter + number for letter, number in _NUMBERED.findall(text)}
    for letter, first, last in _RANGE.findall(text):
        found.update(f"{letter}{n}" for n in range(int(first), int(last) + 1))
    found.update(_modifier_id(tail) for tail in _MODIFIER.findall(text))
    for letters in _TLP.findall(text):
        found.update(f"rule {letter}" for letter in re.findall(r"\b[a-e]\b", letters))
    return found


def _modifier_id(tail: str) -> str:
    """``re-m-off`` → ``M-re-m``: the longest leading run of segments naming a modifier.

    Test case names add words after the modifier (``M-cidr-v6-no``); the modifier is the
    longest prefix that is one. A tail naming none stays as its first segment, so an
    unknown modifier (``M-nosuch``) is reported rather than ignored.
    """
    segments = tail.split("-")
    for end in range(len(segments), 0, -1):
        name = "-".join(segments[:end])
        if name in MODIFIERS:
            return f"M-{name}"
    return f"M-{segments[0]}"


def source_files(root: Path, skip: Iterable[Path] = ()) -> Iterator[Path]:
    """Python files under ``src/`` and ``tests/``, less those under ``skip``."""
    skipped = [path.resolve() for path in skip]
    for top in ("src", "tests"):
        for path in sorted((root / top).rglob("*.py")):
            resolved = path.resolve()
            if not any(resolved.is_relative_to(s) for s in skipped):
                yield path


def citations(root: Path, skip: Iterable[Path] = ()) -> dict[str, list[str]]:
    """Id → the repository paths citing it, for every id cited in the source files."""
    index: dict[str, list[str]] = {}
    for path in source_files(root, skip):
        for cited in cited_ids(path.read_text(encoding="utf-8")):
            index.setdefault(cited, []).append(path.relative_to(root).as_posix())
    return index


@dataclass
class Page:
    """The ids one conformance page declares: full entries and "not yet covered" lines."""

    entries: list[str] = field(default_factory=list)
    not_yet: list[str] = field(default_factory=list)


def read_page(text: str) -> Page:
    """Entries are ``### <id>`` headings; uncovered ids are ``- **<id>** (not yet covered)``."""
    entries = [_canonical(found) for found in _HEADING.findall(text)]
    not_yet = [_canonical(found) for found in _NOT_YET.findall(text)]
    return Page(entries, not_yet)


def _canonical(heading: str) -> str:
    """``Rule c`` → ``rule c``; other ids are written as cited."""
    return heading.lower() if heading.lower().startswith("rule ") else heading
