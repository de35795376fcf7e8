"""Windows normalisation over the shared EVTX corpus: Sigma's fields where rules expect them."""

from collections import Counter
from pathlib import Path

import pytest

from shieldwall.ingest import discover_files, iter_records
from shieldwall.model.errors import InputError
from shieldwall.model.event import Event
from shieldwall.normalise import normalise

pytestmark = pytest.mark.corpus

SYSMON = "Microsoft-Windows-Sysmon/Operational"


@pytest.fixture(scope="module")
def corpus_events(corpus_dir: Path) -> tuple[list[Event], list[InputError], Counter[str]]:
    """Every event of the corpus, normalised; problems; and the reader's count per file."""
    events: list[Event] = []
    problems: list[InputError] = []
    per_file: Counter[str] = Counter()
    for path in discover_files([corpus_dir / "evtx"]):
        if path.suffix != ".evtx":
            continue
        for record in iter_records(path, on_problem=problems.append):
            per_file[str(path)] += 1
            try:
                events.append(normalise(record))
            except InputError as err:
                problems.append(err)
    return events, problems, per_file


def test_every_record_normalises(
    corpus_events: tuple[list[Event], list[InputError], Counter[str]],
) -> None:
    events, problems, per_file = corpus_events
    assert problems == []
    assert len(events) == sum(per_file.values())
    assert Counter(e.source.path for e in events) == per_file


def test_every_event_has_routing_fields_and_a_utc_time(
    corpus_events: tuple[list[Event], list[InputError], Counter[str]],
) -> None:
    events, _, _ = corpus_events
    for event in events:
        assert type(event.fields["EventID"]) is int
        assert isinstance(event.fields["Provider_Name"], str)
        assert event.timestamp is not None and event.timestamp.utcoffset().total_seconds() == 0


def test_sysmon_process_creation_has_image_and_command_line(
    corpus_events: tuple[list[Event], list[InputError], Counter[str]],
) -> None:
    events, _, _ = corpus_events
    created = [e for e in events if e.fields.get("Channel") == SYSMON and e.fields["EventID"] == 1]
    assert len(created) > 10
    for event in created:
        assert isinstance(event.fields["Image"], str) and event.fields["Image"]
        assert isinstance(event.fields["CommandLine"], str)


def test_security_4688_has_new_process_name(
    corpus_events: tuple[list[Event], list[InputError], Counter[str]],
) -> None:
    events, _, _ = corpus_events
    created = [
        e for e in events if e.fields.get("Channel") == "Security" and e.fields["EventID"] == 4688
    ]
    assert created
    assert all(isinstance(e.fields["NewProcessName"], str) for e in created)


def test_unnamed_data_items_are_kept_as_data(
    corpus_events: tuple[list[Event], list[InputError], Counter[str]],
) -> None:
    events, _, _ = corpus_events
    lists = [e.fields["Data"] for e in events if isinstance(e.fields.get("Data"), list)]
    assert len(lists) > 100
    assert all(all(isinstance(item, str) for item in items) for items in lists)


def test_event_data_values_are_never_typed_numbers(
    corpus_events: tuple[list[Event], list[InputError], Counter[str]],
) -> None:
    events, _, _ = corpus_events
    sysmon = [e for e in events if e.fields.get("Channel") == SYSMON and "ProcessId" in e.fields]
    assert sysmon
    assert all(isinstance(e.fields["ProcessId"], str) for e in sysmon)


def test_user_data_events_expose_their_children(
    corpus_events: tuple[list[Event], list[InputError], Counter[str]],
) -> None:
    events, _, _ = corpus_events
    cleared = [
        e for e in events if e.fields["EventID"] == 1102 and e.fields.get("Channel") == "Security"
    ]
    assert cleared
    assert all("SubjectUserName" in e.fields for e in cleared)
