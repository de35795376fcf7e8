"""Winlogbeat and NXLog Windows JSON map to the same Sigma names as EVTX."""

from datetime import UTC, datetime
from typing import Any

import pytest

from shieldwall.model.errors import InputError
from shieldwall.model.event import RawRecord, SourceRef
from shieldwall.normalise import normalise

WINLOGBEAT: dict[str, Any] = {
    "@timestamp": "2021-05-01T10:00:00.123Z",
    "event": {"code": "4688", "kind": "event", "provider": "Microsoft-Windows-Security-Auditing"},
    "host": {"name": "dc01.corp"},
    "log": {"level": "information"},
    "message": "A new process has been created.",
    "winlog": {
        "event_id": "4688",
        "channel": "Security",
        "provider_name": "Microsoft-Windows-Security-Auditing",
        "provider_guid": "{54849625-5478-4994-a5ba-3e3b0328c30d}",
        "computer_name": "DC01.corp",
        "record_id": "123456",
        "process": {"pid": 4, "thread": {"id": 72}},
        "user": {"identifier": "S-1-5-18"},
        "task": "Process Creation",
        "opcode": "Info",
        "keywords": ["Audit Success"],
        "event_data": {
            "NewProcessName": "C:\\Windows\\System32\\cmd.exe",
            "CommandLine": "cmd.exe /c whoami",
            "TokenElevationType": "%%1936",
            "NewProcessId": "0x1a2b",
        },
    },
}

NXLOG: dict[str, Any] = {
    "EventTime": "2021-05-01 10:00:00",
    "Hostname": "DC01.corp",
    "Keywords": -9214364837600034816,
    "EventType": "AUDIT_SUCCESS",
    "SeverityValue": 2,
    "EventID": 4688,
    "SourceName": "Microsoft-Windows-Security-Auditing",
    "ProviderGuid": "{54849625-5478-4994-A5BA-3E3B0328C30D}",
    "Version": 2,
    "Task": 13312,
    "RecordNumber": 123456,
    "ProcessID": 4,
    "ThreadID": 72,
    "Channel": "Security",
    "NewProcessName": "C:\\Windows\\System32\\cmd.exe",
    "CommandLine": "cmd.exe /c whoami",
    "NewProcessId": "0x1a2b",
    "MandatoryLabel": 12288,
}

SHARED_NAMES = {
    "EventID": 4688,
    "Channel": "Security",
    "Provider_Name": "Microsoft-Windows-Security-Auditing",
    "Computer": "DC01.corp",
    "EventRecordID": 123456,
    "Execution_ProcessID": 4,
    "Execution_ThreadID": 72,
    "NewProcessName": "C:\\Windows\\System32\\cmd.exe",
    "CommandLine": "cmd.exe /c whoami",
    "NewProcessId": "0x1a2b",
}


@pytest.mark.parametrize("document", [WINLOGBEAT, NXLOG], ids=["winlogbeat", "nxlog"])
def test_windows_json_gets_the_evtx_names(document: dict[str, Any]) -> None:
    event = normalise(RawRecord(SourceRef("w.json", 1), "json", document))
    assert {name: event.fields.get(name) for name in SHARED_NAMES} == SHARED_NAMES
    assert event.format == "evtx"
    assert event.timestamp is not None and event.timestamp.tzinfo is UTC


def test_winlogbeat_keeps_the_rest_of_the_document_under_dotted_names() -> None:
    event = normalise(RawRecord(SourceRef("w.json", 1), "json", WINLOGBEAT))
    assert event.fields["host.name"] == "dc01.corp"
    assert event.fields["Security_UserID"] == "S-1-5-18"
    assert event.fields["Keywords"] == "0x8020000000000000"  # as EVTX gives it
    assert event.timestamp == datetime(2021, 5, 1, 10, 0, 0, 123000, tzinfo=UTC)


def test_nxlog_values_are_strings_as_logged_and_time_taken_as_utc() -> None:
    event = normalise(RawRecord(SourceRef("n.json", 1), "json", NXLOG))
    assert event.fields["MandatoryLabel"] == "12288"
    assert event.timestamp == datetime(2021, 5, 1, 10, 0, tzinfo=UTC)


def test_evtx_dump_json_lines_are_read_as_evtx() -> None:
    payload = {"Event": {"System": {"EventID": 4624, "Channel": "Security"}, "EventData": {}}}
    event = normalise(RawRecord(SourceRef("d.jsonl", 3), "json", payload))
    assert (event.format, event.fields["EventID"]) == ("evtx", 4624)


def test_windows_json_without_an_integer_event_id_is_an_input_error() -> None:
    document = {"winlog": {"channel": "Security", "event_id": "n/a"}}
    with pytest.raises(InputError) as caught:
        normalise(RawRecord(SourceRef("w.json", 5), "json", document))
    assert caught.value.place == "line 5"


def test_absurd_numbers_stay_text_rather_than_crash() -> None:
    document = {"winlog": {"channel": "Security", "event_id": "4624", "record_id": "9" * 5000}}
    event = normalise(RawRecord(SourceRef("w.json", 1), "json", document))
    assert event.fields["EventRecordID"] == "9" * 5000


@pytest.mark.parametrize(
    ("stamp_field", "expected"),
    [
        (
            {"TimeCreated": "2021-05-01T10:00:00.1234567Z"},
            datetime(2021, 5, 1, 10, 0, 0, 123456, tzinfo=UTC),
        ),
        ({"TimeCreated": "/Date(1619863200000)/"}, datetime(2021, 5, 1, 10, 0, tzinfo=UTC)),
        (
            {"TimeCreated": {"SystemTime": "2021-05-01T10:00:00Z"}},
            datetime(2021, 5, 1, 10, 0, tzinfo=UTC),
        ),
        ({"@timestamp": "2021-05-01T12:00:00+02:00"}, datetime(2021, 5, 1, 10, 0, tzinfo=UTC)),
    ],
)
def test_flat_windows_json_without_event_time_gets_a_timestamp(
    stamp_field: dict[str, Any], expected: datetime
) -> None:
    """``timestamp: null`` before: only NXLog's ``EventTime`` was read."""
    document = {k: v for k, v in NXLOG.items() if k != "EventTime"} | stamp_field
    event = normalise(RawRecord(SourceRef("n.json", 1), "json", document))
    assert event.timestamp == expected


def _winlogbeat8(event_id: int, **ecs: Any) -> dict[str, Any]:
    return {
        "@timestamp": "2024-04-02T09:15:01.101Z",
        "log": {"level": "warning"},
        "winlog": {
            "channel": "Microsoft-Windows-Sysmon/Operational",
            "event_id": str(event_id),
            "keywords": ["Audit Failure"],
        },
        **ecs,
    }


def test_sysmon_process_creation_after_elastic_gets_sigma_names_back() -> None:
    document = _winlogbeat8(
        1,
        process={
            "executable": "C:\\Temp\\lp.exe",
            "command_line": "lp.exe -i x",
            "pid": 8120,
            "pe": {"original_file_name": "lp.exe", "imphash": "e1742ee971d6549e8d4d81115f88f1fc"},
            "hash": {"md5": "9e3a", "sha256": "aa11"},
            "parent": {"executable": "C:\\Windows\\System32\\cmd.exe", "command_line": "cmd"},
        },
        user={"name": "SYSTEM", "domain": "NT AUTHORITY"},
    )
    fields = normalise(RawRecord(SourceRef("w.json", 1), "json", document)).fields
    assert {k: fields[k] for k in ("Image", "CommandLine", "ProcessId", "OriginalFileName")} == {
        "Image": "C:\\Temp\\lp.exe",
        "CommandLine": "lp.exe -i x",
        "ProcessId": "8120",
        "OriginalFileName": "lp.exe",
    }
    assert (fields["ParentImage"], fields["ParentCommandLine"]) == (
        "C:\\Windows\\System32\\cmd.exe",
        "cmd",
    )
    assert fields["User"] == "NT AUTHORITY\\SYSTEM"
    assert fields["Hashes"] == "MD5=9E3A,SHA256=AA11,IMPHASH=E1742EE971D6549E8D4D81115F88F1FC"
    assert (fields["Level"], fields["Keywords"]) == (3, "0x10000000000000")
    assert fields["process.executable"] == "C:\\Temp\\lp.exe"  # the ECS name stays


@pytest.mark.parametrize(
    ("event_id", "sigma_name"),
    [(7, "ImageLoaded"), (11, "TargetFilename"), (23, "TargetFilename"), (6, "ImageLoaded")],
)
def test_file_path_takes_the_name_of_its_sysmon_event(event_id: int, sigma_name: str) -> None:
    document = _winlogbeat8(event_id, file={"path": "C:\\Temp\\x.dll"})
    fields = normalise(RawRecord(SourceRef("w.json", 1), "json", document)).fields
    assert fields[sigma_name] == "C:\\Temp\\x.dll"
    other = {"ImageLoaded", "TargetFilename"} - {sigma_name}
    assert not other & set(fields)


def test_raw_event_data_wins_over_ecs_and_unknown_keywords_stay() -> None:
    document = _winlogbeat8(1, process={"executable": "C:\\ecs.exe"})
    document["winlog"]["event_data"] = {"Image": "C:\\raw.exe"}
    document["winlog"]["keywords"] = ["Audit Success", "Something New"]
    fields = normalise(RawRecord(SourceRef("w.json", 1), "json", document)).fields
    assert fields["Image"] == "C:\\raw.exe"
    assert fields["Keywords"] == ["Audit Success", "Something New"]


def test_level_name_becomes_the_evtx_number() -> None:
    event = normalise(RawRecord(SourceRef("w.json", 1), "json", WINLOGBEAT))
    assert event.fields["Level"] == 4


def test_winlogbeat_and_nxlog_names_with_spaces_are_also_given_without() -> None:
    beat = {"winlog": {"channel": "Microsoft-Windows-Windows Defender/Operational",
                       "event_id": 1116, "event_data": {"Threat Name": "EICAR"}}}  # fmt: skip
    nxlog = {"EventID": 1116, "Channel": "Microsoft-Windows-Windows Defender/Operational",
             "Threat Name": "EICAR"}  # fmt: skip
    for document in (beat, nxlog):
        fields = normalise(RawRecord(SourceRef("d.json", 1), "json", document)).fields
        assert (fields["ThreatName"], fields["Threat Name"]) == ("EICAR", "EICAR")
