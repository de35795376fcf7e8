"""The suite's own EVTX writer: the ``evtx`` package and our normaliser read back what it wrote."""

from __future__ import annotations

from pathlib import Path

from shieldwall.model.event import Event
from tests.contract.formats.harness import read_and_normalise
from tests.contract.formats.table import SECURITY_EVENTS, FormatCase


def test_written_events_read_back_with_their_values(tmp_path: Path) -> None:
    path = tmp_path / "Security.evtx"
    path.write_bytes(FormatCase("evtx", "windows/Security.evtx", "evtx", "evtx", "evtx").content)

    run = read_and_normalise(path, None)

    assert run.problems == []
    events = [outcome for outcome in run.outcomes if isinstance(outcome, Event)]
    assert [event.source.record_id for event in events] == [1, 2, 3]
    for written, event in zip(SECURITY_EVENTS, events, strict=True):
        assert event.fields["EventID"] == written.event_id
        assert event.fields["EventRecordID"] == event.source.record_id
        assert event.fields["Provider_Name"] == written.provider
        assert (event.fields["Channel"], event.fields["Computer"]) == (
            written.channel,
            written.computer,
        )
        assert event.timestamp == written.time
        assert {name: event.fields[name] for name in written.data} == written.data
