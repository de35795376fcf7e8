"""Stored JSON is read back exactly as the standard library wrote it (``load_json``).

The engines read JSON columns with orjson for speed; orjson differs from the standard
library on integers beyond 64 bits (a float) and on ``NaN``/``Infinity`` (refused), both of
which ``json.dumps`` writes. These tests would fail if the fallback were dropped.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import JSON, Column, Integer, MetaData, Table, insert, select

from shieldwall.store.sql.engine import create_sql_engine, load_json

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(documents)
@settings(max_examples=300)
def test_reads_what_the_standard_library_reads(document: Any) -> None:
    text = json.dumps(document)
    assert load_json(text) == json.loads(text)
    assert load_json(text.encode()) == json.loads(text)


def test_big_integers_stay_integers() -> None:
    value = load_json(json.dumps({"n": 2**70, "m": -(2**64)}))
    assert value == {"n": 2**70, "m": -(2**64)}
    assert isinstance(value["n"], int)


def test_nan_and_infinity_read_back() -> None:
    value = load_json(json.dumps([float("nan"), float("inf"), 1.5]))
    assert math.isnan(value[0]) and value[1] == float("inf") and value[2] == 1.5


def test_a_json_column_round_trips_through_the_engine(tmp_path: Path) -> None:
    engine = create_sql_engine(f"sqlite:///{tmp_path / 'j.db'}")
    table = Table("docs", MetaData(), Column("id", Integer, primary_key=True), Column("body", JSON))
    table.metadata.create_all(engine)
    stored = {"big": 2**70, "text": "é\u2028", "nested": [{"a": None}], "float": 0.1}
    with engine.begin() as connection:
        connection.execute(insert(table).values(id=1, body=stored))
    with engine.connect() as connection:
        body = connection.execute(select(table.c.body)).scalar_one()
    engine.dispose()
    assert body == stored and isinstance(body["big"], int)
