"""No code reads YAML or compiles an expression from input except through ``shieldwall.bounded``.

The budgets only hold if nothing goes around them: a new ``yaml.safe_load`` or a
``re.compile(value_from_a_member)`` elsewhere would reopen the class. These tests read the
source, so they fail on the line that does it.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[3] / "src" / "shieldwall"
BOUNDED = SRC / "bounded"
YAML_ENTRY_POINTS = {
    "load",
    "load_all",
    "safe_load",
    "safe_load_all",
    "full_load",
    "full_load_all",
    "unsafe_load",
    "unsafe_load_all",
    "compose",
    "compose_all",
    "SafeLoader",
    "CSafeLoader",
    "FullLoader",
    "CFullLoader",
    "Loader",
    "CLoader",
    "UnsafeLoader",
    "CUnsafeLoader",
}
RE_FUNCTIONS = {
    "compile",
    "search",
    "match",
    "fullmatch",
    "sub",
    "subn",
    "split",
    "findall",
    "finditer",
}
FIXED_TABLES = {
    ("share/intel/pattern_check.py", "expected"),
}
"""Expressions from a fixed table of a library (stix2-patterns' hash formats), not input."""


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(SRC).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(SRC.rglob("*.py"))
        if BOUNDED not in path.parents
    ]


def _attribute_uses(tree: ast.Module, module: str) -> list[ast.Attribute]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == module
    ]


def test_only_the_bounded_loader_reads_yaml() -> None:
    offenders = [
        f"{name}:{use.lineno}: yaml.{use.attr}"
        for name, tree in _modules()
        for use in _attribute_uses(tree, "yaml")
        if use.attr in YAML_ENTRY_POINTS
    ]
    assert offenders == []


def _is_fixed(pattern: ast.expr) -> bool:
    """A literal, or an f-string of literals and module constants (``_PATH``, ``PREFIX``)."""
    if isinstance(pattern, ast.Constant):
        return isinstance(pattern.value, str)
    if isinstance(pattern, ast.JoinedStr):
        return all(
            isinstance(part, ast.Constant)
            or (
                isinstance(part, ast.FormattedValue)
                and isinstance(part.value, ast.Name)
                and part.value.id.lstrip("_").isupper()
            )
            for part in pattern.values
        )
    return False


def _pattern_name(pattern: ast.expr) -> str:
    if isinstance(pattern, ast.Subscript) and isinstance(pattern.value, ast.Name):
        return pattern.value.id
    return ast.unparse(pattern)


def test_expressions_not_written_in_the_source_go_through_the_member_regex_engine() -> None:
    offenders = []
    for name, tree in _modules():
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.func.attr in RE_FUNCTIONS
                and node.args
            ):
                continue
            pattern = node.args[0]
            if _is_fixed(pattern) or (name, _pattern_name(pattern)) in FIXED_TABLES:
                continue
            offenders.append(f"{name}:{node.lineno}: re.{node.func.attr}({ast.unparse(pattern)})")
    assert offenders == []


def test_the_checks_see_what_they_look_for() -> None:
    """The two detectors find a bypass when there is one (so an empty list means something)."""
    bypass = ast.parse("import re, yaml\nyaml.safe_load(text)\nre.compile(rule['re'])\n")
    assert [use.attr for use in _attribute_uses(bypass, "yaml")] == ["safe_load"]
    calls = [n for n in ast.walk(bypass) if isinstance(n, ast.Call)]
    patterns = [call.args[0] for call in calls if call.args]
    assert [_is_fixed(pattern) for pattern in patterns] == [False, False]
    assert _is_fixed(ast.parse('rf"\\s*({_PATH})"', mode="eval").body)
