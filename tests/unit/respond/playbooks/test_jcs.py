"""RFC 8785 (JCS): the examples of the RFC, and properties over any JSON value."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.respond.playbooks.jcs import canonical, number

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (333333333.33333329, "333333333.3333333"),
        (1e30, "1e+30"),
        (4.50, "4.5"),
        (2e-3, "0.002"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (-0.0, "0"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (9007199254740992, "9007199254740992"),
        (295147905179352830000.0, "295147905179352830000"),
        (-1.5e-7, "-1.5e-7"),
    ],
)
def test_numbers_as_ecmascript_writes_them(value: float, text: str) -> None:
    assert number(value) == text


def test_the_rfc_examples() -> None:
    value = {"numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 1e-27], "literals": [None, True]}
    value["string"] = '\u20ac$\u000f\nA\'B"\\\\"/'  # type: ignore[assignment]
    assert (
        canonical(value)
        == (
            '{"literals":[null,true],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
            '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
        ).encode()
    )
    keys = {"\u20ac": 1, "\r": 2, "\U0001f600": 3, "\ufb33": 4, "1": 5, "\u0080": 6, "\u00f6": 7}
    assert list(json.loads(canonical(keys))) == [
        "\r",
        "1",
        "\u0080",
        "\u00f6",
        "\u20ac",
        "\U0001f600",
        "\ufb33",
    ]


def test_numbers_are_doubles_and_beyond_them_refused() -> None:
    with pytest.raises(InputError):
        canonical({"n": 10**400})
    assert canonical([2**53 + 1]) == b"[9007199254740992]"  # read as a double, as JCS does
    with pytest.raises(InputError):
        canonical([math.inf])


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_number_reads_back_as_the_same_double(value: float) -> None:
    assert float(number(value)) == value


@settings(max_examples=200, deadline=None)
@given(JSON, st.sampled_from([None, 0, 2, "\t"]), st.booleans())
def test_layout_does_not_change_the_canonical_form(
    value: Any, indent: Any, ascii_only: bool
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only, sort_keys=not ascii_only)
    again = json.loads(text)
    assert canonical(again) == canonical(value)
    assert canonical(json.loads(canonical(value))) == canonical(value)
