"""Hypothesis strategies for hostile files, grown from each format's own sample.

The sample as is; truncated anywhere; spliced with separators, escapes, markers and numbers
that parsers trip on; re-encoded (UTF-16/32, Latin-1, BOMs, CR/CRLF, NULs); its first bytes
followed by random bytes; a slice repeated up to 20,000 times (many fields, columns,
parameters); a line padded to just under, at and just over the line budget; every
timestamp replaced by an extreme one. Per layout: JSON lines get hostile nodes
(``mutations.py``: nesting past orjson's 1,024 levels, values of another shape, extreme
scalars), Zeek TSV container types nested thousands deep, and EVTX whole valid files of
random events (``evtx_writer.py``), UserData nested up to 120 elements deep.
"""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from hypothesis import strategies as st

from shieldwall.ingest.limits import MAX_LINE_BYTES
from tests.contract.formats.evtx_writer import WindowsEvent, evtx_file
from tests.contract.formats.mutations import dumps, mutated_object, retimed
from tests.contract.formats.table import FormatCase

NASTY = (
    b"",
    b" ",
    b"-",
    b"\\",
    b"\\x",
    b"\\x0",
    b"|",
    b"=",
    b"\\=",
    b"\\|",
    b"[",
    b"]",
    b'"',
    b'="',
    b"\t",
    b"\r",
    b"\n",
    b"\x00",
    b"<191>",
    b"<192>",
    b"<13>1 ",
    b"1 ",
    b"CEF:0|",
    b" CEF:9.",
    b"#fields\t",
    b"#types\t",
    b"#separator \\x7c",
    b"(empty)",
    b"set[" * 3000,
    b"0001-01-01T00:00:00+01:00",
    b"9999-12-31T23:59:59-01:00",
    b"Feb 30 25:61:61",
    b"9" * 5000,
    b"1e309",
    b"nan",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc3",
    "\u202e\U0001f4a3".encode(),
)


texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=120)
names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,16}", fullmatch=True)


def truncated(sample: bytes) -> st.SearchStrategy[bytes]:
    """The sample cut off anywhere, as a file still being written or a partial copy."""
    return st.integers(0, len(sample)).map(lambda end: sample[:end])


@st.composite
def spliced(draw: st.DrawFn, sample: bytes) -> bytes:
    """Up to three short stretches of the sample replaced by nasty or random bytes."""
    out = sample
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(out)))
        end = draw(st.integers(start, min(len(out), start + 48)))
        insert = draw(st.sampled_from(NASTY) | st.binary(max_size=16))
        out = out[:start] + insert + out[end:]
    return out


def reencoded(sample: bytes) -> st.SearchStrategy[bytes]:
    """The sample in an encoding, line ending or byte order the readers do not expect."""
    text = sample.decode("utf-8", errors="replace")
    return st.sampled_from(
        [
            text.encode("utf-16"),
            text.encode("utf-16-be"),
            text.encode("utf-32"),
            text.encode("latin-1", errors="replace").replace(b"e", b"\xe9"),
            b"\xef\xbb\xbf" + sample,
            sample.replace(b"\n", b"\r\n"),
            sample.replace(b"\n", b"\r"),
            sample.replace(b" ", b"\x00"),
        ]
    )


def noise(sample: bytes) -> st.SearchStrategy[bytes]:
    """The first bytes of the sample (its magic, header or opening), then random bytes."""
    return st.tuples(st.integers(0, 64), st.binary(max_size=600)).map(
        lambda cut: sample[: cut[0]] + cut[1]
    )


@st.composite
def repeated(draw: st.DrawFn, sample: bytes) -> bytes:
    """A short slice repeated up to 20,000 times in place: many fields in one record."""
    start = draw(st.integers(0, max(0, len(sample) - 1)))
    end = draw(st.integers(start, min(len(sample), start + 40)))
    times = draw(st.sampled_from([2, 100, 5_000, 20_000]))
    return sample[:start] + sample[start:end] * times + sample[end:]


@st.composite
def huge_line(draw: st.DrawFn, sample: bytes) -> bytes:
    """One line padded to just under, at or just over the line budget (newline included)."""
    lines = sample.splitlines(keepends=True)
    index = draw(st.integers(0, len(lines) - 1))
    line = lines[index].rstrip(b"\r\n")
    target = MAX_LINE_BYTES + draw(st.integers(-2, 2)) - 1
    cut = line.find(b'"') + 1 if line.startswith(b"{") else line.find(b" ") + 1
    padded = line[:cut] + b"A" * max(0, target - len(line)) + line[cut:] + b"\n"
    return b"".join(lines[:index]) + padded + b"".join(lines[index + 1 :])


@st.composite
def json_mutated(draw: st.DrawFn, sample: bytes) -> bytes:
    """One JSON line with up to four nodes replaced by hostile values, the rest valid."""
    lines = sample.splitlines()
    index = draw(st.integers(0, len(lines) - 1))
    record = draw(mutated_object(orjson.loads(lines[index])))
    return b"\n".join([*lines[:index], dumps(record), *lines[index + 1 :]]) + b"\n"


@st.composite
def nested_types(draw: st.DrawFn, sample: bytes) -> bytes:
    """A Zeek ``#types`` entry nesting containers up to thousands deep."""
    levels = draw(st.sampled_from([1, 2, 8, 9, 100, 3000]))
    nested = b"vector[" * levels + b"string" + b"]" * levels
    return sample.replace(b"\tset[string]", b"\t" + nested).replace(
        b"\tstring\t", b"\t" + nested + b"\t", 1
    )


windows_events = st.builds(
    WindowsEvent,
    event_id=st.integers(0, 0xFFFF),
    provider=texts,
    channel=texts,
    computer=texts,
    time=st.datetimes(datetime(1601, 1, 2), datetime(9999, 12, 30), timezones=st.just(UTC)),
    data=st.dictionaries(names, texts, max_size=8),
    user_data=st.none() | names,
    nesting=st.sampled_from([0, 1, 7, 8, 9, 31, 32, 33, 120]),
)
windows_logs = st.lists(windows_events, min_size=1, max_size=4).map(evtx_file)
"""Valid EVTX files of random events: hostile values in a well-formed container."""


def file_inputs(case: FormatCase) -> st.SearchStrategy[bytes]:
    """Everything above, for the sample of ``case``."""
    sample = case.content
    choices = [
        st.just(sample),
        truncated(sample),
        spliced(sample),
        reencoded(sample),
        noise(sample),
        repeated(sample),
    ]
    if case.layout == "evtx":
        choices += [windows_logs, windows_logs]
    else:
        choices += [huge_line(sample), retimed(sample)]
    if case.layout == "json_lines":
        choices += [json_mutated(sample), json_mutated(sample)]
    if case.layout == "zeek_tsv":
        choices.append(nested_types(sample))
    return st.one_of(choices)
