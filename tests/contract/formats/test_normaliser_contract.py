"""The normaliser contract, record by record: every normaliser, any payload.

Records are seeded with what the readers make of the table's samples, then mutated at the
Python level (no file in between, so many more cases per second): objects get hostile nodes
(``mutations.py``), lines get spliced, retimed, repeated or cut. Each normaliser also gets
records meant for the others, as a forced ``--format`` would give it.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.ingest import iter_records
from shieldwall.model.event import RawRecord, RecordFormat, SourceRef
from shieldwall.normalise import NORMALISERS
from tests.contract.formats.harness import check_outcome, normalise_or_error
from tests.contract.formats.mutations import built, mutated_object, retimed
from tests.contract.formats.strategies import repeated, spliced, truncated
from tests.contract.formats.table import FORMATS

RECORD_EXAMPLES = 150
MAX_LEVELS = 990
"""Deep values are built as Python objects here; the file suite goes past orjson's limit."""


@cache
def seeds() -> tuple[RawRecord, ...]:
    """Every record the readers make of the table's samples."""
    found: list[RawRecord] = []
    with tempfile.TemporaryDirectory() as directory:
        for case in FORMATS:
            path = Path(directory) / case.file_name
            path.write_bytes(case.content)
            found += iter_records(path, on_problem=_refuse)
    return tuple(found)


def _refuse(problem: Exception) -> None:
    raise AssertionError(f"a sample does not read cleanly: {problem}")


def payloads(seed: RawRecord) -> st.SearchStrategy[Any]:
    """The seed's payload, mutated as its kind allows."""
    if isinstance(seed.payload, dict):
        return mutated_object(seed.payload, MAX_LEVELS).map(built)
    line = seed.payload.encode()
    mutated = truncated(line) | spliced(line) | retimed(line) | repeated(line)
    return mutated.map(lambda raw: raw.decode("utf-8", errors="replace"))


def test_every_normaliser_has_seed_records_of_its_own() -> None:
    assert {seed.format for seed in seeds()} == set(NORMALISERS)


@pytest.mark.parametrize("fmt", sorted(NORMALISERS))
@settings(max_examples=RECORD_EXAMPLES, deadline=None)
@given(data=st.data())
def test_any_payload_gives_an_event_or_a_located_input_error_the_same_way_twice(
    fmt: RecordFormat, data: st.DataObject
) -> None:
    own = [seed for seed in seeds() if seed.format == fmt]
    seed = data.draw(st.sampled_from(own) | st.sampled_from(seeds()), label="seed")
    payload = data.draw(payloads(seed), label="payload")
    number = data.draw(st.integers(1, 2**31), label="record number")
    record = RawRecord(SourceRef("sensor/input.log", number), fmt, payload, seed.hint)

    first = normalise_or_error(record)
    check_outcome(record, first)
    second = normalise_or_error(record)

    assert repr(_comparable(second)) == repr(_comparable(first))


def _comparable(outcome: Any) -> Any:
    if isinstance(outcome, Exception):
        return (type(outcome).__name__, str(outcome))
    return outcome
