"""The direct read of STIX timestamps agrees with strptime on every input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.share.intel.validate import parse_timestamp


def _by_strptime(text: str) -> datetime:
    value = text.strip()
    if not value.endswith(("Z", "z")):
        raise ValueError("not UTC")
    main, _, fraction = value[:-1].partition(".")
    if fraction and not fraction.isdigit():
        raise ValueError("fraction")
    digits = (fraction + "000000")[:6] if fraction else "000000"
    parsed = datetime.strptime(main, "%Y-%m-%dT%H:%M:%S")
    return parsed.replace(microsecond=int(digits), tzinfo=UTC)


def _outcome(read: object, text: str) -> object:
    try:
        return read(text)  # type: ignore[operator]
    except ValueError:
        return ValueError


_PIECES = st.sampled_from(
    ["2024", "0001", "9999", "02", "13", "00", "31", "29", "60", "1", "x1", "٣٣"]
)
_SHAPED = st.tuples(
    _PIECES, _PIECES, _PIECES, _PIECES, _PIECES, _PIECES, st.text("0123456789", max_size=9)
).map(lambda p: f"{p[0]}-{p[1]}-{p[2]}T{p[3]}:{p[4]}:{p[5]}" + (f".{p[6]}" if p[6] else "") + "Z")


@given(
    st.one_of(
        _SHAPED,
        st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
        st.text(max_size=30),
    )
)
def test_direct_read_equals_strptime(text: str) -> None:
    assert _outcome(parse_timestamp, text) == _outcome(_by_strptime, text)


def test_out_of_range_day_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_timestamp("2023-02-29T00:00:00Z")
