"""The assistance page's form values, whatever a browser sends: a value of the desk's
enumerations or an InputError (a 422 page), never another exception."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.model.assistance import Need, RequestStatus, Urgency
from shieldwall.model.errors import InputError
from shieldwall.web.assistance import duration, form_choice


@given(st.sampled_from([Need, Urgency, RequestStatus]), st.text(max_size=60))
def test_a_form_choice_is_a_value_or_an_input_error(kind: type, text: str) -> None:
    try:
        chosen = form_choice(kind, text, "field")
    except InputError as exc:
        assert text not in {member.value for member in kind}
        assert exc.place == "field"
    else:
        assert chosen.value == text


@given(st.floats(min_value=0, max_value=10**7, allow_nan=False))
def test_a_duration_reads_as_minutes_or_hours(seconds: float) -> None:
    shown = duration(seconds)
    minutes = int(seconds // 60)
    if minutes < 60:
        assert shown == f"{minutes} min"
    else:
        hours, rest = shown.split(" h ")
        assert int(hours) * 60 + int(rest.removesuffix(" min")) == minutes


@pytest.mark.parametrize("text", ["", "—"])
def test_no_time_yet_is_a_dash(text: str) -> None:
    assert duration(None) == "—"
    assert form_choice(Urgency, "high", "urgency") is Urgency.HIGH
    with pytest.raises(InputError):
        form_choice(Need, text, "need")
