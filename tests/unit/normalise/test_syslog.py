"""Syslog RFC 5424 and RFC 3164 lines to ECS-style fields; round trips; never a crash."""

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.model.event import RawRecord, SourceRef
from shieldwall.normalise import normalise
from shieldwall.normalise.syslog import SyslogError, parse_syslog

NOW = datetime(2024, 6, 1, tzinfo=UTC)
SD = "log.syslog.structured_data."


@pytest.mark.parametrize(
    ("line", "expected", "stamp"),
    [
        (
            "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed",
            {
                "log.syslog.priority": 34,
                "log.syslog.facility.code": 4,
                "log.syslog.severity.code": 2,
                "log.syslog.version": 1,
                "host.hostname": "mymachine.example.com",
                "log.syslog.appname": "su",
                "process.name": "su",
                "log.syslog.msgid": "ID47",
                "message": "'su root' failed",
            },
            datetime(2003, 10, 11, 22, 14, 15, 3000, tzinfo=UTC),
        ),
        (
            "<165>1 2003-08-24T05:14:15.000003-07:00 host evntslog 1234 ID47"
            ' [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]'
            '[examplePriority@32473 class="high"]',
            {
                "log.syslog.priority": 165,
                "log.syslog.facility.code": 20,
                "log.syslog.severity.code": 5,
                "log.syslog.version": 1,
                "host.hostname": "host",
                "log.syslog.appname": "evntslog",
                "process.name": "evntslog",
                "log.syslog.procid": "1234",
                "process.pid": 1234,
                "log.syslog.msgid": "ID47",
                SD + "exampleSDID@32473.iut": "3",
                SD + "exampleSDID@32473.eventSource": "Application",
                SD + "exampleSDID@32473.eventID": "1011",
                SD + "examplePriority@32473.class": "high",
            },
            datetime(2003, 8, 24, 12, 14, 15, 3, tzinfo=UTC),
        ),
        (
            "<34>Oct 11 22:14:15 mymachine su[230]: 'su root' failed for lonvick",
            {
                "log.syslog.priority": 34,
                "log.syslog.facility.code": 4,
                "log.syslog.severity.code": 2,
                "host.hostname": "mymachine",
                "process.name": "su",
                "process.pid": 230,
                "message": "'su root' failed for lonvick",
            },
            datetime(2023, 10, 11, 22, 14, 15, tzinfo=UTC),
        ),
        (
            "May  1 08:00:00 web01 sshd: Accepted publickey for root",
            {
                "host.hostname": "web01",
                "process.name": "sshd",
                "message": "Accepted publickey for root",
            },
            datetime(2024, 5, 1, 8, 0, tzinfo=UTC),
        ),
        (
            "<13>no timestamp at all here",
            {
                "log.syslog.priority": 13,
                "log.syslog.facility.code": 1,
                "log.syslog.severity.code": 5,
                "message": "no timestamp at all here",
            },
            None,
        ),
    ],
)
def test_table_of_lines(line: str, expected: dict[str, Any], stamp: datetime | None) -> None:
    fields, parsed_stamp = parse_syslog(line, NOW)
    assert fields == expected
    assert parsed_stamp == stamp


def test_structured_data_escapes_and_repeated_names() -> None:
    line = r'<13>1 - h a - - [x@1 q="a \"b\" \] \\ \z" q="2"] msg'
    fields, stamp = parse_syslog(line, NOW)
    assert fields[SD + "x@1.q"] == ['a "b" ] \\ \\z', "2"]
    assert fields["message"] == "msg"
    assert stamp is None


@pytest.mark.parametrize(
    "line",
    [
        "<999>1 - - - - - -",
        "<13>1 2003 host",
        "<13>1 notatime h a - - - m",
        "<13>1 0001-01-01T00:00:00+01:00 h a - - - out of datetime's range in UTC",
        '<13>1 - h a - - [x@1 q="unterminated] m',
        "<13>1 - h a - - garbage m",
        "plain text, not syslog",
    ],
)
def test_malformed_lines_raise(line: str) -> None:
    with pytest.raises(SyslogError):
        parse_syslog(line, NOW)


def test_normalise_names_file_and_line_on_error() -> None:
    with pytest.raises(InputError) as caught:
        normalise(RawRecord(SourceRef("s.log", 12), "syslog", "<1>1 broken"))
    assert (caught.value.source, caught.value.place) == ("s.log", "line 12")


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-_", min_size=1, max_size=12).filter(
    lambda s: s != "-"
)
SD_VALUE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=15
)


def _escape_sd(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


@given(
    priority=st.integers(0, 191),
    host=WORD,
    app=WORD,
    pid=st.integers(0, 99999),
    params=st.dictionaries(
        st.text(alphabet="abcxyz", min_size=1, max_size=5), SD_VALUE, max_size=3
    ),
    message=st.text(alphabet="abc def:[]=", max_size=30).map(str.strip).filter(bool),
)
def test_rfc5424_round_trip(
    priority: int, host: str, app: str, pid: int, params: dict[str, str], message: str
) -> None:
    sd = "[id@1" + "".join(f' {k}="{_escape_sd(v)}"' for k, v in params.items()) + "]"
    line = f"<{priority}>1 2024-01-02T03:04:05Z {host} {app} {pid} - {sd} {message}"
    fields, stamp = parse_syslog(line, NOW)
    assert fields["log.syslog.priority"] == priority
    assert (fields["host.hostname"], fields["process.name"], fields["process.pid"]) == (
        host,
        app,
        pid,
    )
    assert {k: fields[SD + "id@1." + k] for k in params} == params
    assert fields["message"] == message
    assert stamp == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


@given(
    priority=st.integers(0, 191),
    host=WORD,
    tag=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10),
    pid=st.integers(0, 99999),
    message=st.text(max_size=40).filter(lambda s: "\n" not in s),
)
def test_rfc3164_round_trip(priority: int, host: str, tag: str, pid: int, message: str) -> None:
    line = f"<{priority}>Feb  3 04:05:06 {host} {tag}[{pid}]: {message}"
    fields, stamp = parse_syslog(line, NOW)
    assert (fields["host.hostname"], fields["process.name"], fields["process.pid"]) == (
        host,
        tag,
        pid,
    )
    assert fields["message"] == message
    assert stamp == datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)


@given(st.text(max_size=200))
def test_any_text_gives_fields_or_input_error(line: str) -> None:
    try:
        event = normalise(RawRecord(SourceRef("s.log", 1), "syslog", line))
    except InputError as err:
        assert err.place == "line 1"
    else:
        assert event.format == "syslog"


def test_absurd_pid_is_not_converted_to_a_number() -> None:
    fields, _ = parse_syslog("<13>Oct 11 22:14:15 h tag[" + "9" * 5000 + "]: m", NOW)
    assert fields["process.name"] == "tag"
    assert "process.pid" not in fields


@pytest.mark.parametrize(
    ("line", "stamp"),
    [
        (
            "2024-05-01T10:00:00.123+02:00 web01 sshd[41]: Accepted",
            datetime(2024, 5, 1, 8, 0, 0, 123000, tzinfo=UTC),
        ),
        ("<13>2024-05-01T10:00:00Z web01 sshd[41]: Accepted", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("Jan 1 02:21:38 web01 sshd[41]: Accepted", datetime(2024, 1, 1, 2, 21, 38, tzinfo=UTC)),
        ("Jan  1 02:21:38 web01 sshd[41]: Accepted", datetime(2024, 1, 1, 2, 21, 38, tzinfo=UTC)),
    ],
)
def test_linux_header_forms_keep_host_and_tag(line: str, stamp: datetime) -> None:
    """RFC 3339 stamps were "not recognised"; ``Jan 1`` lost its host and tag into the message."""
    fields, parsed = parse_syslog(line, NOW)
    assert (fields["host.hostname"], fields["process.name"], fields["process.pid"]) == (
        "web01",
        "sshd",
        41,
    )
    assert fields["message"] == "Accepted"
    assert parsed == stamp


def test_date_shaped_token_that_is_no_moment_is_refused() -> None:
    with pytest.raises(SyslogError, match="RFC 3339"):
        parse_syslog("2024-13-45T99:00:00Z host tag: m", NOW)


MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2024, 5, 31), timezones=st.just(UTC)
)


def _header(moment: datetime, form: str) -> str:
    """The timestamp as the three header forms senders write."""
    month = moment.strftime("%b")
    if form == "padded":
        return f"{month} {moment.day:>2} {moment:%H:%M:%S}"
    if form == "unpadded":
        return f"{month} {moment.day} {moment:%H:%M:%S}"
    return moment.isoformat().replace("+00:00", "Z")


@given(
    moment=MOMENTS,
    form=st.sampled_from(["padded", "unpadded", "rfc3339"]),
    priority=st.one_of(st.none(), st.integers(0, 191)),
    host=WORD,
    tag=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10),
    pid=st.integers(0, 99999),
    message=st.text(max_size=40).filter(lambda s: "\n" not in s),
)
def test_header_forms_round_trip(
    moment: datetime, form: str, priority: int | None, host: str, tag: str, pid: int, message: str
) -> None:
    pri = "" if priority is None else f"<{priority}>"
    line = f"{pri}{_header(moment, form)} {host} {tag}[{pid}]: {message}"
    fields, stamp = parse_syslog(line, NOW)
    assert (fields["host.hostname"], fields["process.name"], fields["process.pid"]) == (
        host,
        tag,
        pid,
    )
    assert fields["message"] == message
    assert stamp is not None
    if form == "rfc3339":
        assert stamp == moment
    else:
        assert (stamp.month, stamp.day, stamp.time()) == (
            moment.month,
            moment.day,
            moment.time().replace(microsecond=0),
        )
