"""Zeek TSV and Zeek JSON of the same capture give the same string values (corpus)."""

from pathlib import Path
from typing import Any

import pytest

from shieldwall.ingest import iter_records
from shieldwall.model.errors import InputError

pytestmark = pytest.mark.corpus

LOGS = [
    "analyzer",
    "dce_rpc",
    "dpd",
    "ftp",
    "known_certs",
    "notice",
    "ntp",
    "smb_files",
    "smb_mapping",
    "syslog",
    "x509",
]
"""Every log kind where TSV and JSON differed (5,966 values) before Zeek's escapes were undone."""


def _payloads(path: Path) -> list[dict[str, Any]]:
    problems: list[InputError] = []
    payloads = [r.payload for r in iter_records(path, on_problem=problems.append)]
    assert problems == []
    return payloads


@pytest.mark.parametrize("log", LOGS)
def test_tsv_and_json_of_one_capture_agree_on_every_string(corpus_dir: Path, log: str) -> None:
    """Backslashes (``\\\\svcctl``), ``\\x0a`` and ``\\x01`` were left escaped in TSV."""
    zeek = corpus_dir / "zeek"
    tsv = _payloads(zeek / "zeek-default" / f"{log}.log.gz")
    json = _payloads(zeek / "zeek-json" / f"{log}.json.gz")
    assert len(tsv) == len(json) > 0
    differing = [
        (name, value, other.get(name))
        for row, other in zip(tsv, json, strict=True)
        for name, value in row.items()
        if isinstance(value, str) and value != other.get(name)
    ]
    assert differing == []
