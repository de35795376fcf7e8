"""Format detection from content: layouts from a file's head, formats of single records."""

import pytest

from shieldwall.ingest.sniff import classify_json, classify_text, sniff_layout

ZEEK_HEAD = b"#separator \\x09\n#set_separator\t,\n#path\tconn\n#fields\tts\tuid\n"


@pytest.mark.parametrize(
    ("head", "layout"),
    [
        (b"ElfFile\x00" + b"\x00" * 100, "evtx"),
        (ZEEK_HEAD, "zeek_tsv"),
        (b"#fields\tts\tuid\n1.0\tC1\n", "zeek_tsv"),
        (b"# sensor 3\n#separator \\x09\n#fields\tts\n1.0\n", "zeek_tsv"),
        (b"# a comment\nnot a zeek header\n#fields\tts\n", None),
        (b'{"a": 1}\n{"a": 2}\n', "json_lines"),
        (b'\xef\xbb\xbf{"a": 1}\n', "json_lines"),
        (b'\n\n  {"a": 1}\n', "json_lines"),
        (b"<34>1 2003-10-11T22:14:15.003Z host app - ID47 - msg\n", "text_lines"),
        (b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed\n", "text_lines"),
        (b"Oct 11 22:14:15 mymachine su: 'su root' failed\n", "text_lines"),
        (b"CEF:0|Vendor|Product|1.0|100|Name|5|src=10.0.0.1\n", "text_lines"),
        (b"Sep 19 08:26:10 host CEF:0|Vendor|Product|1.0|100|Name|5|src=1.2.3.4\n", "text_lines"),
        (b"Jan 1 02:21:38 host sshd[1]: Accepted\n", "text_lines"),
        (b"2024-05-01T10:00:00.123+02:00 host prog[1]: msg\n", "text_lines"),
        (b"2024-05-01T10:00:00Z fw CEF:0|V|P|1|100|N|5|src=1.2.3.4\n", "text_lines"),
        (b"Jan has 31 days\n", None),
        (b"2024-05-01 is a date\n", None),
        (b"just some prose\n", None),
        (b"", None),
        (b"\x00\x01\x02binary", None),
        (b"<9999>not syslog", None),
    ],
)
def test_layout_is_detected_from_content(head: bytes, layout: str | None) -> None:
    assert sniff_layout(head) == layout


@pytest.mark.parametrize(
    ("obj", "fmt"),
    [
        ({"timestamp": "2019-01-01T00:00:00+0000", "event_type": "alert"}, "suricata"),
        ({"_path": "conn", "ts": 1.0}, "zeek"),
        ({"ts": 1.0, "uid": "C1", "id.orig_h": "10.0.0.1"}, "zeek"),
        ({"@timestamp": "2024-01-01T00:00:00Z", "source": {"ip": "10.0.0.1"}}, "json"),
        ({"winlog": {"event_id": 4688}}, "json"),
    ],
)
def test_json_objects_are_classified_by_their_keys(obj: dict[str, object], fmt: str) -> None:
    assert classify_json(obj, None) == fmt


def test_forced_format_wins_over_classification() -> None:
    assert classify_json({"event_type": "alert"}, "json") == "json"
    assert classify_text("CEF:0|a|b|c|d|e|f|", "syslog") == "syslog"


@pytest.mark.parametrize(
    ("line", "fmt"),
    [
        ("CEF:0|V|P|1|1|N|1|", "cef"),
        ("<13>Sep 19 08:26:10 host CEF:1|V|P|1|1|N|1|a=b", "cef"),
        ("<13>Sep 19 08:26:10 host app: text mentioning XCEF:0|", "syslog"),
        ("<13>Sep 19 08:26:10 host app: CEF:x is not cef", "syslog"),
    ],
)
def test_text_lines_are_classified_as_cef_or_syslog(line: str, fmt: str) -> None:
    assert classify_text(line, None) == fmt
