"""Linux audit events: auditd's names, lists for repeated names, hex decoded as auditd encodes."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.model.event import Event, RawRecord, SourceRef
from shieldwall.normalise import normalise

HEAD = "msg=audit(1717243512.381:2041):"


def _event(*lines: str) -> Event:
    return normalise(RawRecord(SourceRef("audit.log", 3), "auditd", "\n".join(lines)))


def test_an_execve_event_reads_as_the_auditd_rules_name_it() -> None:
    event = _event(
        f'type=SYSCALL {HEAD} arch=c000003e syscall=59 success=yes a0=55d3 a1=55d4 comm="bash" '
        'exe="/usr/bin/bash" key="exec"',
        f'type=EXECVE {HEAD} argc=3 a0="bash" a1="-c" a2=6563686F2068656C6C6F203E202F746D702F78',
        f"type=PROCTITLE {HEAD} proctitle=62617368002D63006563686F",
    )
    assert event.format == "auditd"
    assert event.timestamp == datetime(2024, 6, 1, 12, 5, 12, 381000, tzinfo=UTC)
    fields = event.fields
    assert fields["type"] == ["SYSCALL", "EXECVE", "PROCTITLE"]
    assert fields["a0"] == ["55d3", "bash"]
    assert fields["a2"] == "echo hello > /tmp/x"
    assert (fields["exe"], fields["comm"], fields["key"]) == ("/usr/bin/bash", "bash", "exec")
    assert fields["syscall"] == "59"
    assert fields["proctitle"] == "bash -c echo"


def test_split_arguments_are_rejoined_and_enriched_fields_kept() -> None:
    event = _event(
        f'type=EXECVE {HEAD} argc=2 a0="cat" a1_len=10 a1[0]=2F6574632F "a1[1]"=x a1[1]="shadow"',
        f'type=SYSCALL {HEAD} syscall=59 uid=0\x1dARCH=x86_64 SYSCALL=execve UID="root"',
    )
    assert event.fields["a1"] == "/etc/shadow"
    assert (event.fields["SYSCALL"], event.fields["UID"], event.fields["uid"]) == (
        "execve",
        "root",
        "0",
    )


def test_pairs_inside_msg_and_node_are_read() -> None:
    line = (
        f'node=web01 type=USER_CMD {HEAD} pid=2500 uid=1000 msg=\'cwd="/home/a" '
        'cmd=636174202F6574632F736861646F77 exe="/usr/bin/sudo" res=success\''
    )
    fields = _event(line).fields
    assert fields["type"] == "USER_CMD"
    assert fields["node"] == "web01"
    assert (fields["cmd"], fields["exe"], fields["res"]) == (
        "cat /etc/shadow",
        "/usr/bin/sudo",
        "success",
    )
    assert "msg" not in fields


def test_quoted_values_are_never_taken_for_hex() -> None:
    fields = _event(
        f'type=PATH {HEAD} name="CAFE" nametype=NORMAL', f"type=CWD {HEAD} cwd=2F746D70"
    ).fields
    assert fields["name"] == "CAFE"
    assert fields["cwd"] == "/tmp"


def test_a_line_that_is_not_audit_is_a_located_error() -> None:
    try:
        _event(f"type=SYSCALL {HEAD} pid=1", "garbage")
    except InputError as error:
        assert (error.source, error.place) == ("audit.log", "line 3")
        assert "audit" in error.reason
    else:
        raise AssertionError("expected an InputError")


PARTS = st.sampled_from(
    ["type=", "SYSCALL", "EXECVE", " msg=audit(", "1", "9" * 13, ".", ":", "42", "):", " ", "a0=",
     "a1[0]=", "msg='", '"', "'", "=", "\x1d", "\n", "node=", "GG", "ff", "00", "é", "\ud800"]
)  # fmt: skip


@given(st.lists(PARTS, max_size=40).map("".join))
def test_any_text_gives_an_event_or_a_located_input_error(text: str) -> None:
    record = RawRecord(SourceRef("audit.log", 9), "auditd", f"type=SYSCALL {HEAD} " + text)
    try:
        event = normalise(record)
    except InputError as error:
        assert (error.source, error.place) == ("audit.log", "line 9")
        return
    assert event.source == record.source
    assert all(isinstance(value, str | list) for value in event.fields.values())
