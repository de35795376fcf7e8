"""Sysmon for Linux: Sysmon's field names from its XML, in a syslog line or bare."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.model.event import Event, RawRecord, SourceRef
from shieldwall.normalise import normalise

SYSTEM = (
    '<System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/>'
    "<EventID>{eid}</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode>"
    "<Keywords>0x8000000000000000</Keywords>"
    '<TimeCreated SystemTime="2024-06-11T12:05:12.345678000Z"/>'
    '<EventRecordID>7</EventRecordID><Correlation/><Execution ProcessID="812" ThreadID="812"/>'
    "<Channel>Linux-Sysmon/Operational</Channel><Computer>web01</Computer>"
    '<Security UserId="0"/></System>'
)


def _xml(eid: str, data: str) -> str:
    return f"<Event>{SYSTEM.replace('{eid}', eid)}<EventData>{data}</EventData></Event>"


def _event(line: str) -> Event:
    return normalise(RawRecord(SourceRef("sysmon.log", 2), "sysmon_linux", line))


def test_a_process_creation_in_syslog_reads_with_sysmons_names() -> None:
    data = (
        '<Data Name="Image">/usr/bin/ncat</Data><Data Name="CommandLine">ncat -e /bin/sh '
        '&lt;x&gt; &amp;&amp; &apos;y&apos; &#x41;</Data><Data Name="User">www-data</Data>'
        '<Data Name="Hashes"/>'
    )
    event = _event("Jun 11 12:05:12 web01 sysmon: " + _xml("1", data))
    assert event.format == "sysmon_linux"
    assert event.timestamp == datetime(2024, 6, 11, 12, 5, 12, 345678, tzinfo=UTC)
    fields = event.fields
    assert fields["EventID"] == 1
    assert fields["Image"] == "/usr/bin/ncat"
    assert fields["CommandLine"] == "ncat -e /bin/sh <x> && 'y' A"
    assert (fields["User"], fields["Hashes"]) == ("www-data", "")
    assert (fields["Channel"], fields["Computer"]) == ("Linux-Sysmon/Operational", "web01")
    assert (fields["Provider_Name"], fields["Execution_ProcessID"]) == ("Linux-Sysmon", "812")
    assert fields["host.hostname"] == "web01"


def test_a_bare_event_has_no_host_from_a_header() -> None:
    fields = _event(_xml("3", '<Data Name="DestinationIp">203.0.113.7</Data>')).fields
    assert fields["DestinationIp"] == "203.0.113.7"
    assert "host.hostname" not in fields


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Jun 11 12:05:12 web01 sysmon: started", "no Sysmon event"),
        ("<Event><System><EventID>1</EventID>", "no end of <System>"),
        (_xml("x1", ""), "not a number"),
        (_xml("1", "").replace("<EventID>1</EventID>", ""), "no numeric EventID"),
    ],
)
def test_what_is_not_a_sysmon_event_is_a_located_error(line: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        _event(line)
    assert reason in caught.value.reason
    assert (caught.value.source, caught.value.place) == ("sysmon.log", "line 2")


PARTS = st.sampled_from(
    ["<Event><System>", "</System>", "<EventID>", "1", "</EventID>", '<Data Name="', "Image",
     '">', "</Data>", "/>", "&amp;", "&#", "&#xFFFFFFFF;", "<", ">", '"',
     '<TimeCreated SystemTime="',
     "9999-12-31T23:59:59-01:00", "<Provider ", "Name=", " ", "\x00", "é", "\ud800"]
)  # fmt: skip


@given(st.lists(PARTS, max_size=60).map("".join))
def test_any_text_gives_an_event_or_a_located_input_error(text: str) -> None:
    record = RawRecord(SourceRef("sysmon.log", 5), "sysmon_linux", text)
    try:
        event = normalise(record)
    except InputError as error:
        assert (error.source, error.place) == ("sysmon.log", "line 5")
        return
    assert isinstance(event.fields["EventID"], int)
    assert event.timestamp is None or event.timestamp.utcoffset() is not None
