"""The live intake takes Linux audit records and Sysmon for Linux lines as text records."""

from __future__ import annotations

import orjson
import pytest

from shieldwall.ingest.intake import read_batch
from shieldwall.model.event import RecordFormat

AUDIT = 'type=EXECVE msg=audit(1717243512.381:2041): argc=2 a0="chattr" a1="-i"'
SYSMON = "Jun 11 12:05:12 web01 sysmon: <Event><System><EventID>1</EventID></System></Event>"


def _batch(*values: object) -> bytes:
    return b"\n".join(orjson.dumps(value) for value in values)


def test_each_line_is_classified_on_its_own() -> None:
    intake = read_batch(_batch(AUDIT, SYSMON, "<13>Jun 11 12:05:12 web01 sshd: hello"), source="b")
    assert intake.refused == []
    assert [record.format for record in intake.records] == ["auditd", "sysmon_linux", "syslog"]


@pytest.mark.parametrize("forced", ["auditd", "sysmon_linux"])
def test_the_linux_formats_can_be_forced_for_text_and_not_for_objects(forced: RecordFormat) -> None:
    intake = read_batch(_batch(AUDIT, {"a": 1}), source="b", forced=forced)
    assert [record.format for record in intake.records] == [forced]
    assert [(line.line, "JSON strings" in line.reason) for line in intake.refused] == [(2, True)]
