"""CEF: header fields, extension with escapes, optional syslog header; round trip."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.model.event import RawRecord, SourceRef
from shieldwall.normalise import normalise
from shieldwall.normalise.cef import CefError, parse_cef, parse_extension


def _event(line: str) -> object:
    return normalise(RawRecord(SourceRef("c.log", 4), "cef", line))


def test_bare_cef_line() -> None:
    line = (
        "CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|"
        "src=10.0.0.1 dst=2.1.2.2 spt=1232 msg=Detected a worm: it spread rt=1700000000000"
    )
    fields, stamp = parse_cef(line)
    assert fields == {
        "cef.version": "0",
        "cef.device_vendor": "Security",
        "cef.device_product": "threatmanager",
        "cef.device_version": "1.0",
        "cef.device_event_class_id": "100",
        "cef.name": "worm successfully stopped",
        "cef.severity": "10",
        "src": "10.0.0.1",
        "dst": "2.1.2.2",
        "spt": "1232",
        "msg": "Detected a worm: it spread",
        "rt": "1700000000000",
    }
    assert stamp == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def test_cef_after_a_syslog_header_takes_host_and_time() -> None:
    line = "<13>Sep 19 08:26:10 fw01 CEF:0|Vendor|Prod|2|sig|A \\| B|5|act=blocked"
    fields, stamp = parse_cef(line)
    assert fields["host.hostname"] == "fw01"
    assert fields["log.syslog.priority"] == 13
    assert fields["cef.name"] == "A | B"
    assert fields["act"] == "blocked"
    assert "message" not in fields
    assert stamp is not None and (stamp.month, stamp.day, stamp.hour) == (9, 19, 8)


@pytest.mark.parametrize(
    ("rt", "expected"),
    [
        ("1700000000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("Nov 14 2023 22:13:20", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("Nov 14 2023 22:13:20.250", datetime(2023, 11, 14, 22, 13, 20, 250000, tzinfo=UTC)),
        ("Nov 14 2023 23:13:20 +0100", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("Nov 14 2023 22:13:20 GMT", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("Nov 14 2023 22:13:20 CEST", None),
        ("Nov 31 2023 22:13:20", None),
        ("yesterday", None),
    ],
)
def test_receipt_time_forms(rt: str, expected: datetime | None) -> None:
    """``rt`` in ``MMM dd yyyy HH:mm:ss`` gave no timestamp before; a named zone stays None."""
    _, stamp = parse_cef(f"CEF:0|V|P|1|100|N|5|act=x rt={rt}")
    assert stamp == expected


def test_device_receipt_time_full_name_is_read() -> None:
    _, stamp = parse_cef("CEF:0|V|P|1|100|N|5|deviceReceiptTime=Nov 14 2023 22:13:20")
    assert stamp == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)),
    st.booleans(),
)
def test_month_first_receipt_time_round_trip(moment: datetime, millis: bool) -> None:
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000 if millis else 0)
    clock = moment.strftime("%H:%M:%S") + (f".{moment.microsecond // 1000:03d}" if millis else "")
    _, stamp = parse_cef(
        f"CEF:0|V|P|1|100|N|5|rt={moment:%b} {moment.day:02d} {moment.year} {clock}"
    )
    assert stamp == moment.replace(tzinfo=UTC)


def test_cef_after_an_rfc3339_syslog_header() -> None:
    """Refused before: the header's timestamp was not RFC 3164."""
    line = "2024-05-01T10:00:00.5+02:00 fw01 CEF:0|Vendor|Prod|2|sig|Name|5|act=blocked"
    fields, stamp = parse_cef(line)
    assert (fields["host.hostname"], fields["act"]) == ("fw01", "blocked")
    assert stamp == datetime(2024, 5, 1, 8, 0, 0, 500000, tzinfo=UTC)


def test_cef_after_a_header_with_an_unpadded_day() -> None:
    fields, stamp = parse_cef("Jan 1 02:21:38 fw01 CEF:0|V|P|2|sig|Name|5|act=x")
    assert fields["host.hostname"] == "fw01"
    assert stamp is not None and (stamp.month, stamp.day, stamp.hour) == (1, 1, 2)


@pytest.mark.parametrize(
    ("extension", "expected"),
    [
        ("", {}),
        ("a=1", {"a": "1"}),
        ("a=x y z b=2", {"a": "x y z", "b": "2"}),
        ("a=p\\=q b=c\\\\d", {"a": "p=q", "b": "c\\d"}),
        ("a=line1\\nline2\\rend", {"a": "line1\nline2\rend"}),
        ("a=C:\\\\Windows\\\\x b=", {"a": "C:\\Windows\\x", "b": ""}),
        ("a= b=2", {"a": "", "b": "2"}),
        ("cs1Label=User Name cs1=bob", {"cs1Label": "User Name", "cs1": "bob"}),
    ],
)
def test_extension_table(extension: str, expected: dict[str, str]) -> None:
    assert parse_extension(extension) == expected


@pytest.mark.parametrize(
    "line",
    [
        "CEF:0|only|three",
        "CEF:0|a|b|c|d|e|f|novalue",
        "CEF:0|a|b|c|d|e|f|=nokey",
        "<999>x CEF:0|a|b|c|d|e|f|",
    ],
)
def test_malformed_lines_raise(line: str) -> None:
    with pytest.raises(CefError):
        parse_cef(line)


def test_normalise_reports_file_and_line() -> None:
    with pytest.raises(InputError) as caught:
        _event("CEF:0|broken")
    assert (caught.value.source, caught.value.place) == ("c.log", "line 4")


def _escape_header(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _escape_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace("=", "\\=").replace("\n", "\\n").replace("\r", "\\r")


HEADER_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
KEY = st.from_regex(r"[a-zA-Z][a-zA-Z0-9]{0,9}", fullmatch=True)
VALUE = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20).filter(
    lambda v: v == v.strip(" ")
)


@given(
    header=st.lists(HEADER_TEXT, min_size=6, max_size=6),
    extension=st.dictionaries(KEY, VALUE, max_size=6),
)
def test_round_trip(header: list[str], extension: dict[str, str]) -> None:
    line = (
        "CEF:0|"
        + "|".join(_escape_header(h) for h in header)
        + "|"
        + " ".join(f"{k}={_escape_value(v)}" for k, v in extension.items())
    )
    fields, _ = parse_cef(line)
    assert [fields[name] for name in list(fields)[1:7]] == header
    assert {k: fields[k] for k in extension} == extension


@given(st.text(max_size=200))
def test_any_text_gives_fields_or_input_error(text: str) -> None:
    try:
        event = _event("CEF:0|" + text)
    except InputError as err:
        assert err.place == "line 4"
    else:
        assert event.fields["cef.version"] == "0"  # type: ignore[attr-defined]
