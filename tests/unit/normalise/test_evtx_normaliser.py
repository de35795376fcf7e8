"""EVTX JSON (as the evtx package writes it) to Sigma's Windows field names."""

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.model.event import RawRecord, SourceRef
from shieldwall.normalise import normalise
from shieldwall.normalise.limits import MAX_DEPTH

SYSTEM: dict[str, Any] = {
    "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon", "Guid": "{5770385F}"}},
    "EventID": 1,
    "Version": 5,
    "Level": 4,
    "Task": 1,
    "Opcode": 0,
    "Keywords": "0x8000000000000000",
    "TimeCreated": {"#attributes": {"SystemTime": "2019-03-19T23:34:25.123456Z"}},
    "EventRecordID": 42,
    "Correlation": None,
    "Execution": {"#attributes": {"ProcessID": 1944, "ThreadID": 2084}},
    "Channel": "Microsoft-Windows-Sysmon/Operational",
    "Computer": "WIN10",
    "Security": {"#attributes": {"UserID": "S-1-5-18"}},
}


def _record(system: dict[str, Any], **sections: Any) -> RawRecord:
    event = {"#attributes": {"xmlns": "http://x"}, "System": system, **sections}
    return RawRecord(SourceRef("a.evtx", 42), "evtx", {"Event": event})


def test_system_fields_take_sigma_names_and_types() -> None:
    event = normalise(_record(SYSTEM, EventData={"Image": "C:\\a.exe"}))
    fields = event.fields
    assert fields["EventID"] == 1
    assert fields["Channel"] == "Microsoft-Windows-Sysmon/Operational"
    assert fields["Provider_Name"] == "Microsoft-Windows-Sysmon"
    assert fields["Provider_Guid"] == "{5770385F}"
    assert fields["Computer"] == "WIN10"
    assert fields["EventRecordID"] == 42
    assert fields["Execution_ProcessID"] == 1944
    assert fields["Execution_ThreadID"] == 2084
    assert fields["Security_UserID"] == "S-1-5-18"
    assert fields["Keywords"] == "0x8000000000000000"
    assert "Correlation" not in fields
    assert fields["Image"] == "C:\\a.exe"
    assert event.format == "evtx"
    assert event.timestamp == datetime(2019, 3, 19, 23, 34, 25, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("event_id", "expected", "qualifiers"),
    [
        (4688, 4688, None),
        ("4688", 4688, None),
        ({"#attributes": {"Qualifiers": 16384}, "#text": 7045}, 7045, 16384),
        ({"#attributes": {"Qualifiers": ""}, "#text": "7045"}, 7045, ""),
    ],
)
def test_event_id_is_an_int_whatever_its_shape(
    event_id: Any, expected: int, qualifiers: Any
) -> None:
    fields = normalise(_record({**SYSTEM, "EventID": event_id}, EventData={})).fields
    assert fields["EventID"] == expected
    assert fields.get("EventID_Qualifiers") == qualifiers


def test_string_system_numbers_become_ints() -> None:
    system = {**SYSTEM, "EventRecordID": "171", "Level": "3", "Task": "0"}
    fields = normalise(_record(system, EventData={})).fields
    assert (fields["EventRecordID"], fields["Level"], fields["Task"]) == (171, 3, 0)


def test_event_data_values_are_strings_as_logged() -> None:
    data = {"MessageNumber": 1, "Initiated": True, "Path": "", "Binary": None, "Rate": 1.5}
    fields = normalise(_record(SYSTEM, EventData=data)).fields
    assert fields["MessageNumber"] == "1"
    assert fields["Initiated"] == "true"
    assert fields["Path"] == ""
    assert fields["Binary"] is None
    assert fields["Rate"] == "1.5"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("only", "only"),
        (["a", "b", 3], ["a", "b", "3"]),
    ],
)
def test_unnamed_data_items_become_data(text: Any, expected: Any) -> None:
    fields = normalise(_record(SYSTEM, EventData={"Data": {"#text": text}, "Binary": None})).fields
    assert fields["Data"] == expected


def test_repeated_names_fold_into_a_list_in_order() -> None:
    data = {"Group": "a", "Group_1": "b", "Group_2": "c", "Other_1": "kept"}
    fields = normalise(_record(SYSTEM, EventData=data)).fields
    assert fields["Group"] == ["a", "b", "c"]
    assert "Group_1" not in fields
    assert fields["Other_1"] == "kept"


def test_event_data_attributes_are_not_fields() -> None:
    data = {"#attributes": {"Name": "EVENT_HIVE_LEAK"}, "Data": {"#text": "x"}}
    fields = normalise(_record(SYSTEM, EventData=data)).fields
    assert "#attributes" not in fields
    assert fields["Data"] == "x"


def test_user_data_children_are_flattened_by_name() -> None:
    user_data = {
        "EventXML": {
            "#attributes": {"xmlns": "Event_NS"},
            "Param1": "admmig",
            "Param2": None,
            "Param3": "10.23.123.11",
            "Certificate": {"#attributes": {"subjectName": "wec02", "xmlns:a": "u"}},
            "Applications": {"Application": "one", "Application_1": "two"},
            "Channel": "Security",
        }
    }
    fields = normalise(_record(SYSTEM, UserData=user_data)).fields
    assert fields["Param1"] == "admmig"
    assert fields["Param2"] is None
    assert fields["Param3"] == "10.23.123.11"
    assert fields["Certificate_subjectName"] == "wec02"
    assert "Certificate_xmlns:a" not in fields
    assert fields["Application"] == ["one", "two"]
    assert fields["Channel"] == "Microsoft-Windows-Sysmon/Operational"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"Event": "x"},
        {"Event": {"EventData": {}}},
        {"Event": {"System": {"Channel": "Security"}}},
        {"Event": {"System": {"EventID": "forty"}}},
        "a text line",
    ],
)
def test_malformed_windows_events_raise_input_error_naming_the_record(payload: Any) -> None:
    with pytest.raises(InputError) as caught:
        normalise(RawRecord(SourceRef("a.evtx", 9), "evtx", payload))
    assert (caught.value.source, caught.value.place) == ("a.evtx", "record 9")


@pytest.mark.parametrize(
    ("sections", "provider"),
    [
        ({"System": {**SYSTEM, "Provider": {"#attributes": "Sysmon"}}}, None),
        ({"System": {**SYSTEM, "Execution": {"#attributes": [4, 8]}}}, "Microsoft-Windows-Sysmon"),
        (
            {"System": SYSTEM, "UserData": {"X": {"Param": {"#attributes": True, "#text": "v"}}}},
            "Microsoft-Windows-Sysmon",
        ),
    ],
)
def test_attributes_that_are_not_an_object_are_ignored(
    sections: dict[str, Any], provider: str | None
) -> None:
    """Found by the format contract suite: these raised AttributeError (evtx_dump JSON)."""
    event = normalise(RawRecord(SourceRef("a.jsonl", 3), "json", {"Event": sections}))
    assert event.fields["EventID"] == 1
    assert event.fields.get("Provider_Name") == provider


def _nested(levels: int) -> Any:
    value: Any = "leaf"
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(
    "sections",
    [
        {"System": SYSTEM, "EventData": {"CommandLine": _nested(990)}},
        {"System": {**SYSTEM, "Channel": _nested(MAX_DEPTH + 1)}},
        {"System": SYSTEM, "UserData": {"X": {"Deep": _nested(MAX_DEPTH + 1)}}},
    ],
)
def test_values_nested_past_the_budget_are_input_errors(sections: dict[str, Any]) -> None:
    """Found by the format contract suite: 990 levels raised RecursionError, 33 passed."""
    with pytest.raises(InputError, match="nests deeper than") as caught:
        normalise(RawRecord(SourceRef("a.evtx", 5), "evtx", {"Event": sections}))
    assert caught.value.place == "record 5"


def test_values_nested_within_the_budget_are_kept() -> None:
    data = {"Names": _nested(MAX_DEPTH)}
    fields = normalise(_record(SYSTEM, EventData=data)).fields
    assert fields["Names"] == _nested(MAX_DEPTH)


def test_missing_or_bad_time_gives_no_timestamp() -> None:
    system = {**SYSTEM, "TimeCreated": {"#attributes": {"SystemTime": "yesterday"}}}
    assert normalise(_record(system, EventData={})).timestamp is None


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
DATA_NAMES = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,11}", fullmatch=True).filter(
    lambda n: n not in ("Data", "Binary")
)


@given(st.dictionaries(DATA_NAMES, st.text(max_size=20), max_size=12))
def test_named_data_items_come_back_under_their_names(data: dict[str, str]) -> None:
    fields = normalise(_record(SYSTEM, EventData=data)).fields
    assert {name: fields[name] for name in data} == data


@given(JSONISH, JSONISH)
def test_any_json_shape_gives_an_event_or_input_error(system: Any, event_data: Any) -> None:
    record = RawRecord(
        SourceRef("a.evtx", 1), "evtx", {"Event": {"System": system, "EventData": event_data}}
    )
    try:
        event = normalise(record)
    except InputError as err:
        assert err.place == "record 1"
    else:
        assert type(event.fields["EventID"]) is int


def test_event_data_names_with_spaces_are_also_given_without() -> None:
    """Defender's ``Threat Name``: SigmaHQ's windefend rules say ``ThreatName``."""
    data = {"Threat Name": "HackTool:Win32/Mimikatz", "Process Name": "C:\\m.exe", "Path": "x"}
    fields = normalise(_record(SYSTEM, EventData=data)).fields
    assert (fields["ThreatName"], fields["ProcessName"]) == ("HackTool:Win32/Mimikatz", "C:\\m.exe")
    assert fields["Threat Name"] == "HackTool:Win32/Mimikatz"


def test_a_spaceless_name_already_logged_is_not_overwritten() -> None:
    fields = normalise(
        _record(SYSTEM, EventData={"Source Name": "AMSI", "SourceName": "own"})
    ).fields
    assert (fields["SourceName"], fields["Source Name"]) == ("own", "AMSI")


@given(st.dictionaries(st.text(alphabet="ab ", min_size=1, max_size=5), st.text(max_size=5)))
def test_every_spaced_name_is_readable_both_ways(data: dict[str, str]) -> None:
    fields = normalise(_record(SYSTEM, EventData=data)).fields
    for name, value in data.items():
        assert fields[name] == value
        assert name.replace(" ", "") in fields
