"""A literal that every match of a regular expression must contain (for the prefilter).

Walks Python's parse of the pattern: a run of literal characters at the top level (or in
a mandatory group or a repeat with a minimum of one) must occur in any match. Anything
unusual yields nothing, which only costs speed (the rule is then always evaluated).
"""

from __future__ import annotations

import importlib
from typing import Any

_parser: Any = importlib.import_module("re._parser")
_constants: Any = importlib.import_module("re._constants")


def required_literal(pattern: str, flags: int = 0) -> str:
    """The longest literal any match must contain, case-folded; "" if none is known."""
    try:
        parsed = _parser.parse(pattern, flags)
    except (ValueError, TypeError, OverflowError, RecursionError):
        return ""
    return max(_runs(list(parsed)), key=len, default="").casefold()


def _runs(items: list[tuple[Any, Any]]) -> list[str]:
    runs: list[str] = []
    current: list[str] = []
    for op, arg in items:
        if op is _constants.LITERAL:
            current.append(chr(arg))
            continue
        runs.append("".join(current))
        current = []
        if op is _constants.SUBPATTERN:
            runs.extend(_runs(list(arg[-1])))
        elif op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT) and arg[0] >= 1:
            runs.extend(_runs(list(arg[2])))
    runs.append("".join(current))
    return [run for run in runs if run]
