"""Every registered reader layout, record format and normaliser has a line in the table.

A format added to the code without a line in ``table.FORMATS`` fails here, so no format
escapes the contract suite.
"""

from __future__ import annotations

from typing import get_args

from shieldwall.ingest.records import READERS
from shieldwall.ingest.sniff import Layout
from shieldwall.model.event import RecordFormat
from shieldwall.normalise import NORMALISERS
from tests.contract.formats.table import FORMATS


def test_every_normaliser_in_the_registry_has_a_line() -> None:
    assert {case.normaliser for case in FORMATS} == set(NORMALISERS)


def test_every_record_format_has_a_line_and_a_normaliser() -> None:
    assert {case.normaliser for case in FORMATS} == set(get_args(RecordFormat))
    assert set(NORMALISERS) == set(get_args(RecordFormat))


def test_every_reader_layout_has_a_line() -> None:
    layouts = {case.layout for case in FORMATS}
    assert layouts == set(get_args(Layout))
    assert set(READERS) <= layouts


def test_event_formats_are_record_formats_and_names_are_unique() -> None:
    assert {case.event_format for case in FORMATS} <= set(get_args(RecordFormat))
    assert len({case.name for case in FORMATS}) == len(FORMATS)
    assert len({case.sample for case in FORMATS}) == len(FORMATS)
