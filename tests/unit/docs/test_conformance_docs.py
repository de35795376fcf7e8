"""Every checklist id the code and tests cite is explained in ``docs/conformance/``.

The repository is checked against itself: ids found in ``src/`` and ``tests/`` against the
entries of the conformance pages, and those entries against the id schemes written in
:mod:`tests.unit.docs.conformance_ids`. Nothing outside the repository is read. The
scanner's own tests use synthetic text, so they can fail whatever the repository holds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.unit.docs.conformance_ids import (
    Page,
    citations,
    cited_ids,
    read_page,
    scheme,
    source_files,
)

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "conformance"
HERE = Path(__file__).resolve().parent
"""Skipped by the scan: the synthetic citations below are not the project's."""
PAGES = ("taxii21.md", "sigma.md", "tlp.md", "misp.md")
PATH_IN_DOCS = re.compile(r"`((?:src|tests|docs|bench)/[^`\s]+)`")
DOC_IN_CODE = re.compile(r"``((?:docs|notes)/[\w./-]+)``")


def _pages() -> dict[str, Page]:
    return {name: read_page((DOCS / name).read_text(encoding="utf-8")) for name in PAGES}


def undocumented(cited: set[str], pages: dict[str, Page]) -> list[str]:
    """Cited ids with no full entry on their page (unknown ids are reported as such)."""
    known = scheme()
    problems = []
    for cited_id in sorted(cited):
        page = known.get(cited_id)
        if page is None:
            problems.append(f"{cited_id}: not an id of any checklist scheme")
        elif cited_id not in pages[page].entries:
            problems.append(f"{cited_id}: no '### {cited_id}' entry in docs/conformance/{page}")
    return problems


def invented(pages: dict[str, Page]) -> list[str]:
    """Ids a page declares that its scheme lacks, declares twice, or both covers and not."""
    known = scheme()
    problems = []
    for name, page in pages.items():
        declared = page.entries + page.not_yet
        for doc_id in declared:
            if known.get(doc_id) != name:
                problems.append(f"{name}: {doc_id} is not an id of this page's checklist")
        for doc_id in sorted({d for d in declared if declared.count(d) > 1}):
            problems.append(f"{name}: {doc_id} declared more than once")
    return problems


def missing(pages: dict[str, Page]) -> list[str]:
    """Scheme ids a page neither explains nor lists as not yet covered."""
    return [
        f"{page}: {scheme_id} has neither an entry nor a 'not yet covered' line"
        for scheme_id, page in sorted(scheme().items())
        if scheme_id not in pages[page].entries + pages[page].not_yet
    ]


def test_every_cited_id_has_an_entry() -> None:
    cited = set(citations(ROOT, skip=[HERE]))
    assert cited, "the scan found no citation at all: the patterns are broken"
    assert undocumented(cited, _pages()) == []


def test_every_documented_id_exists_in_its_scheme_once() -> None:
    assert invented(_pages()) == []


def test_every_scheme_id_is_on_its_page() -> None:
    assert missing(_pages()) == []


def test_paths_named_in_the_docs_exist() -> None:
    texts = [p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")]
    texts.append((ROOT / "docs" / "formats.md").read_text(encoding="utf-8"))
    named = {path for text in texts for path in PATH_IN_DOCS.findall(text)}
    assert named, "no path found in the docs: the pattern is broken"
    assert sorted(p for p in named if not _exists(p)) == []


def _exists(path: str) -> bool:
    """A path, or a glob (``test_taxii_*.py``) matching at least one file."""
    return any(ROOT.glob(path)) if "*" in path else (ROOT / path).exists()


def test_documents_the_code_points_to_exist() -> None:
    """A docstring's ``docs/formats.md`` must lead somewhere (``notes/`` once did not)."""
    named = {
        (path.relative_to(ROOT).as_posix(), target)
        for path in source_files(ROOT, skip=[HERE])
        for target in DOC_IN_CODE.findall(path.read_text(encoding="utf-8"))
    }
    assert ("src/shieldwall/ingest/__init__.py", "docs/formats.md") in named
    assert sorted((where, t) for where, t in named if not (ROOT / t).exists()) == []


def test_the_scan_sees_this_repository_and_skips_this_folder() -> None:
    files = [p.resolve() for p in source_files(ROOT, skip=[HERE])]
    assert ROOT / "src" / "shieldwall" / "policy" / "gate.py" in files
    assert not [p for p in files if p.is_relative_to(HERE)]


# The scanner itself, on synthetic text.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"""Add objects (T33)."""', {"T33"}),
        ("def test_T4_T5_unsupported_accept() -> None:", {"T4", "T5"}),
        ("checklist items T17-T20.", {"T17", "T18", "T19", "T20"}),
        ("(M13\u2013M15, M20)", {"M13", "M14", "M15", "M20"}),
        ('("C10-underscore-not-in-them", ...)', {"C10"}),
        ("# R14, R15", {"R14", "R15"}),
        ('("M-re-m-off", "C|re", ...)', {"M-re-m"}),
        ('("M-cidr-v6-no", ...), ("M-utf16le", ...)', {"M-cidr", "M-utf16le"}),
        ('("M-nosuch", ...)', {"M-nosuch"}),
        ("(``tlp-policy.md`` rule e)", {"rule e"}),
        ("(tlp-policy.md rules a, b, c and e)", {"rule a", "rule b", "rule c", "rule e"}),
        ("T1059.001, T0, DC01, S603, MD5, T100, RC4, test_T_", set()),
        ("uuid 2024-01-01T00:00:00Z and 0xC1", set()),
    ],
)
def test_cited_ids_in_text(text: str, expected: set[str]) -> None:
    assert cited_ids(text) == expected


def test_an_uncited_page_entry_is_not_needed_but_a_cited_id_is() -> None:
    pages = {name: Page() for name in PAGES}
    pages["taxii21.md"] = read_page("### T33\n\n- **Asks:** envelope.\n")
    assert undocumented({"T33"}, pages) == []
    assert undocumented({"T34"}, pages) == [
        "T34: no '### T34' entry in docs/conformance/taxii21.md"
    ]


def test_an_id_outside_the_scheme_is_refused_in_code_and_in_docs() -> None:
    pages = {name: Page() for name in PAGES}
    assert undocumented(cited_ids("see T53 and V14"), pages) == [
        "T53: not an id of any checklist scheme",
        "V14: not an id of any checklist scheme",
    ]
    pages["misp.md"] = read_page("### M25\n\n### M3\n\n### M3\n\n### V1\n")
    assert invented(pages) == [
        "misp.md: M25 is not an id of this page's checklist",
        "misp.md: V1 is not an id of this page's checklist",
        "misp.md: M3 declared more than once",
    ]


def test_not_yet_covered_lines_count_for_completeness() -> None:
    text = "### Rule a\n\n## Not yet covered\n\n- **rule b** (not yet covered) — narrowing.\n"
    page = read_page(text)
    assert page == Page(entries=["rule a"], not_yet=["rule b"])
    pages = {name: Page() for name in PAGES}
    pages["tlp.md"] = page
    gaps = [line for line in missing(pages) if line.startswith("tlp.md")]
    assert gaps == [
        f"tlp.md: rule {letter} has neither an entry nor a 'not yet covered' line"
        for letter in "cde"
    ]
