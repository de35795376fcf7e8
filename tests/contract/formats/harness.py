"""Run input through the readers and normalisers and check what comes out against the contract.

The contract, for every format: a reader yields :class:`RawRecord` objects and reports
:class:`InputError` problems that name the file and a place (``file``, ``line N``,
``record N``); a normaliser returns an :class:`Event` for the record's source or raises an
:class:`InputError` naming the record's file and place. Nothing else escapes: any other
exception propagates out of :func:`read_and_normalise` and fails the test. Event values
nest no deeper than the normalisers' budget, timestamps are aware UTC, and running the
same input twice gives the same result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, get_args

from shieldwall.ingest import iter_records
from shieldwall.model.errors import InputError
from shieldwall.model.event import Event, RawRecord, RecordFormat
from shieldwall.normalise import NORMALISERS, normalise
from shieldwall.normalise.limits import MAX_DEPTH
from shieldwall.normalise.problems import place_of

Outcome = Event | InputError


@dataclass(slots=True)
class Run:
    """What one pass over a file gave: reader problems, records, one outcome per record."""

    problems: list[InputError]
    records: list[RawRecord]
    outcomes: list[Outcome]


def normalise_or_error(record: RawRecord) -> Outcome:
    """The Event, or the InputError the normaliser raised; any other exception escapes."""
    try:
        return normalise(record)
    except InputError as err:
        return err


def read_and_normalise(path: Path, forced: RecordFormat | None) -> Run:
    """Read ``path`` (format sniffed unless forced) and normalise every record."""
    problems: list[InputError] = []
    records = list(iter_records(path, fmt=forced, on_problem=problems.append))
    return Run(problems, records, [normalise_or_error(record) for record in records])


def is_place(place: str) -> bool:
    """``file``, ``line N``, ``record N`` or (EVTX cut short) ``chunk N``: where a problem
    sits, as the project names it."""
    kind, _, number = place.partition(" ")
    return place == "file" or (kind in ("line", "record", "chunk") and number.isdigit())


def check_run(run: Run, path: Path) -> None:
    """Assert the contract over one pass over ``path``."""
    for problem in run.problems:
        assert type(problem) is InputError, problem
        assert problem.source == str(path), problem
        assert is_place(problem.place), problem
    for record, outcome in zip(run.records, run.outcomes, strict=True):
        check_record(record, path)
        check_outcome(record, outcome)


def check_record(record: RawRecord, path: Path) -> None:
    """A record names its file and a positive number, and goes to a registered normaliser."""
    assert isinstance(record, RawRecord), record
    assert record.source.path == str(path)
    assert record.source.record_id is not None and record.source.record_id > 0
    assert record.format in NORMALISERS
    assert isinstance(record.payload, dict | str)


def check_outcome(record: RawRecord, outcome: Outcome) -> None:
    """An Event for the record's source, or an InputError naming its file and place."""
    if isinstance(outcome, InputError):
        assert outcome.source == record.source.path, outcome
        assert outcome.place == place_of(record), outcome
        assert outcome.reason, outcome
        return
    assert isinstance(outcome, Event), outcome
    assert outcome.source == record.source
    assert outcome.format in get_args(RecordFormat)
    assert type(outcome.fields) is dict
    assert all(type(name) is str for name in outcome.fields)
    for name, value in outcome.fields.items():
        assert depth(value) <= MAX_DEPTH, f"{name} nests deeper than {MAX_DEPTH}"
    check_timestamp(outcome.timestamp)


def check_timestamp(moment: datetime | None) -> None:
    """None, or an aware datetime at UTC (events are compared and ordered across sources)."""
    if moment is not None:
        assert isinstance(moment, datetime)
        assert moment.utcoffset() == timedelta(0), moment


def depth(value: Any) -> int:
    """How deep lists and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if type(item) is dict:
            stack.extend((child, level + 1) for child in item.values())
        elif type(item) is list:
            stack.extend((child, level + 1) for child in item)
        else:
            deepest = max(deepest, level)
            continue
        deepest = max(deepest, level + 1)
    return deepest


def view(run: Run) -> list[str]:
    """A comparable account of a run, as text.

    InputError has no equality of its own, and a NaN (Zeek writes ``nan`` doubles) is never
    equal to itself: their ``repr`` is.
    """
    problems = [repr(("problem", p.reason, p.source, p.place)) for p in run.problems]
    records = [repr(("record", r.source, r.format, r.hint)) for r in run.records]
    outcomes = [
        repr(("error", o.reason, o.source, o.place) if isinstance(o, InputError) else o)
        for o in run.outcomes
    ]
    return problems + records + outcomes
