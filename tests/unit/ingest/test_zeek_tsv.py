"""Zeek TSV: header directives, typed columns, unset and empty markers, escapes; round trip."""

import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.ingest.limits import MAX_TYPE_NESTING
from shieldwall.ingest.zeek_tsv import read_zeek_tsv, unescape
from shieldwall.model.errors import InputError

HEADER = (
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
)
FIELDS = "#fields\tts\tuid\tid.orig_h\tid.orig_p\tduration\tlocal_orig\ttunnel_parents\tservice\n"
TYPES = "#types\ttime\tstring\taddr\tport\tinterval\tbool\tset[string]\tstring\n"


def _read(text: str) -> tuple[list[dict[str, Any]], list[str], list[InputError]]:
    problems: list[InputError] = []
    records = list(
        read_zeek_tsv(io.BytesIO(text.encode()), Path("conn.log"), None, problems.append)
    )
    return [r.payload for r in records], [r.hint for r in records], problems


def test_columns_are_decoded_to_their_zeek_types() -> None:
    line = "1600000000.5\tC1\t10.0.0.1\t49152\t0.25\tT\ta,b\tdns\n"
    payloads, hints, problems = _read(HEADER + FIELDS + TYPES + line)
    assert payloads == [
        {
            "ts": 1600000000.5,
            "uid": "C1",
            "id.orig_h": "10.0.0.1",
            "id.orig_p": 49152,
            "duration": 0.25,
            "local_orig": True,
            "tunnel_parents": ["a", "b"],
            "service": "dns",
        }
    ]
    assert hints == ["conn"]
    assert problems == []


def test_unset_is_left_out_and_empty_is_an_empty_value() -> None:
    line = "1.0\tC1\t10.0.0.1\t1\t-\t-\t(empty)\t(empty)\n"
    payloads, _, _ = _read(HEADER + FIELDS + TYPES + line)
    assert "duration" not in payloads[0]
    assert "local_orig" not in payloads[0]
    assert payloads[0]["tunnel_parents"] == []
    assert payloads[0]["service"] == ""


def test_escaped_separator_is_restored() -> None:
    line = "1.0\tC\\x09x\t10.0.0.1\t1\t-\t-\t-\t-\n"
    payloads, _, _ = _read(HEADER + FIELDS + TYPES + line)
    assert payloads[0]["uid"] == "C\tx"


def test_bad_rows_are_reported_with_their_line() -> None:
    text = HEADER + FIELDS + TYPES + "1.0\tC1\n" + "x\tC1\t1\t1\t1\tT\ta\tb\n"
    payloads, _, problems = _read(text)
    assert payloads == []
    assert [p.place for p in problems] == ["line 8", "line 9"]
    assert "columns" in problems[0].reason


def test_container_types_nested_past_the_budget_are_reported_not_followed() -> None:
    """Found by the format contract suite: 3,000 levels raised RecursionError."""
    for levels, reported in ((MAX_TYPE_NESTING, False), (3000, True)):
        nested = "vector[" * levels + "string" + "]" * levels
        payloads, _, problems = _read(HEADER + "#fields\tx\n" + f"#types\t{nested}\n" + "a\n")
        assert [p.place for p in problems] == (["line 8"] if reported else [])
        assert len(payloads) == (0 if reported else 1)


def test_data_before_any_header_is_reported() -> None:
    _, _, problems = _read("1.0\tC1\n")
    assert [p.reason for p in problems] == ["data line before a #fields header"]


NAMES = st.text(alphabet="abcdefghij_.", min_size=1, max_size=8)
# A data line that opens with "#" is a directive to Zeek's own reader too, so no first value does.
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")),
    min_size=1,
    max_size=12,
).filter(lambda s: s not in ("-", "(empty)") and s.strip() == s and "," not in s and s[0] != "#")
VALUE = st.one_of(
    st.tuples(st.just("count"), st.integers(0, 2**63)),
    st.tuples(st.just("double"), st.floats(allow_nan=False, allow_infinity=False)),
    st.tuples(st.just("bool"), st.booleans()),
    st.tuples(st.just("string"), TEXT),
    st.tuples(st.just("set[string]"), st.lists(TEXT, min_size=1, max_size=3)),
)


def _encode(kind: str, value: Any) -> str:
    if kind == "bool":
        return "T" if value else "F"
    if kind == "set[string]":
        return ",".join(_escape(v) for v in value)
    return _escape(str(value)) if kind == "string" else repr(value)


def _escape(text: str) -> str:
    return _zeek_escape(text, utf8=True)


@given(st.dictionaries(NAMES, VALUE, min_size=1, max_size=6))
def test_round_trip_of_generated_records(columns: dict[str, tuple[str, Any]]) -> None:
    names = list(columns)
    text = (
        "#separator \\x09\n#fields\t"
        + "\t".join(names)
        + "\n#types\t"
        + "\t".join(columns[n][0] for n in names)
        + "\n"
        + "\t".join(_encode(*columns[n]) for n in names)
        + "\n"
    )
    payloads, _, problems = _read(text)
    assert problems == []
    assert payloads == [{n: value for n, (_, value) in columns.items()}]


def _zeek_escape(text: str, *, utf8: bool) -> str:
    r"""Escape as Zeek's ASCII writer does: ``\`` as ``\\``, tab and non-printables as ``\xHH``.

    With ``utf8`` (Zeek 5 and later) printable non-ASCII text is written as it is; without,
    every byte outside printable ASCII is escaped.
    """
    out: list[str] = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char.isprintable() and (char.isascii() or utf8):
            out.append(char)
        else:
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8"))
    return "".join(out)


def _json_writer_value(text: str) -> str:
    """The value Zeek's JSON writer gives: controls other than \\b\\t\\n\\f\\r as text."""
    keep = "\b\t\n\f\r"
    return "".join(
        f"\\x{ord(c):02x}" if (ord(c) < 0x20 or c == "\x7f") and c not in keep else c for c in text
    )


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))), st.booleans())
def test_unescape_undoes_zeeks_escape(text: str, utf8: bool) -> None:
    assert unescape(_zeek_escape(text, utf8=utf8)) == _json_writer_value(text)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"))), st.booleans())
def test_unescape_restores_text_without_controls_exactly(text: str, utf8: bool) -> None:
    assert unescape(_zeek_escape(text, utf8=utf8)) == text


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("\\\\pipe\\\\ntsvcs", "\\pipe\\ntsvcs"),
        ('"\\\\x0d\\\\x0a"\\x0a', '"\\x0d\\x0a"\n'),
        ("caf\\xc3\\xa9", "café"),
        ("bad\\xe9byte", "bad\\xe9byte"),
        ("kept\\q", "kept\\q"),
        ('actual data: "\\x01"', 'actual data: "\\x01"'),
        ("short\\x4", "short\\x4"),
    ],
)
def test_unescape_matches_what_zeeks_json_writer_gives(written: str, value: str) -> None:
    assert unescape(written) == value


def test_backslashes_in_a_named_pipe_column_are_single() -> None:
    line = "1.0\t\\\\pipe\\\\ntsvcs\t10.0.0.1\t1\t-\t-\t-\t-\n"
    payloads, _, _ = _read(HEADER + FIELDS + TYPES + line)
    assert payloads[0]["uid"] == "\\pipe\\ntsvcs"
