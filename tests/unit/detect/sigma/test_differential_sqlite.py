"""Differential test: this engine and pySigma's SQLite backend agree on random rules/events.

Rules are drawn from the features the backend supports faithfully on SQLite (equality,
wildcards, startswith/endswith/contains, ``all``, ``windash``, ``re``, numbers, ``and or
not``, ``1 of``/``all of``); events use ASCII text, because SQLite's LIKE and NOCASE fold
ASCII only, and have every field present (SQL's NULL logic differs from Sigma's absence).
Checklist items V1 V2 V4 V5 V6 V9 V12 M-all M-startswith M-endswith M-contains M-windash
M-re C1 C2 C3 C6 C8 C9.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sigma.backends.sqlite import sqliteBackend
from sigma.rule import SigmaRule

from shieldwall.detect.sigma.compiler import compile_rule
from shieldwall.detect.sigma.context import EventView
from shieldwall.detect.sigma.modifiers import register_aliases

FIELDS = ("A", "B", "C")
event_text = st.text(alphabet="abAB1-/ _.", max_size=6)
rule_text = st.text(alphabet="abAB1-/*?_.", min_size=1, max_size=3)
modifiers = st.sampled_from(
    ["", "|contains", "|startswith", "|endswith", "|contains|all", "|windash|contains", "|re"]
)


@st.composite
def items(draw: st.DrawFn) -> tuple[str, Any]:
    field = draw(st.sampled_from(FIELDS))
    modifier = draw(modifiers)
    if modifier == "|re":
        return field + modifier, draw(st.sampled_from(["^a", "b$", "a.b", "[ab]1", "A|-"]))
    if modifier == "" and draw(st.booleans()):
        return field, draw(st.integers(min_value=0, max_value=11))
    values = draw(st.lists(rule_text, min_size=1, max_size=3))
    if modifier == "|windash|contains":
        values = [value.replace("*", "").replace("?", "") or "x" for value in values]
    return field + modifier, values if len(values) > 1 else values[0]


@st.composite
def rules(draw: st.DrawFn) -> dict[str, Any]:
    selections = {
        f"sel{n}": dict(draw(st.lists(items(), min_size=1, max_size=2, unique_by=lambda i: i[0])))
        for n in range(3)
    }
    condition = draw(
        st.sampled_from(
            [
                "sel0",
                "sel0 and sel1",
                "sel0 or sel1",
                "sel0 and not sel1",
                "not sel0",
                "1 of sel*",
                "all of sel*",
                "(sel0 or sel1) and not sel2",
                "1 of them",
            ]
        )
    )
    return {
        "title": "random",
        "logsource": {"product": "test"},
        "detection": {**selections, "condition": condition},
    }


def _regexp(pattern: str, value: str | None) -> bool:
    return value is not None and re.search(pattern, value) is not None


def sqlite_matches(query: str, fields: dict[str, str]) -> bool:
    database = sqlite3.connect(":memory:")
    try:
        database.create_function("REGEXP", 2, _regexp)
        columns = ", ".join(f"{name} TEXT COLLATE NOCASE" for name in FIELDS)
        database.execute(f"CREATE TABLE logs ({columns})")
        database.execute("INSERT INTO logs VALUES (?, ?, ?)", [fields[f] for f in FIELDS])
        return bool(database.execute(query).fetchall())
    finally:
        database.close()


@settings(max_examples=200, deadline=None)
@given(rule=rules(), fields=st.fixed_dictionaries(dict.fromkeys(FIELDS, event_text)))
def test_engine_agrees_with_pysigma_sqlite_backend(
    rule: dict[str, Any], fields: dict[str, str]
) -> None:
    register_aliases()
    compiled = compile_rule(SigmaRule.from_dict(rule), "random.yml", {})
    (query,) = sqliteBackend().convert_rule(SigmaRule.from_dict(rule))
    ours = compiled.test(EventView(fields))
    assert ours == sqlite_matches(query, fields), (query, fields)
