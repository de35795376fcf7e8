"""Names: what both buses accept, and the NATS stream names derived from subjects."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.bus.names import check_batch, check_consumer, check_key, check_subject
from shieldwall.bus.nats import stream_name
from shieldwall.model.errors import BusError

TOKEN = st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True)
SUBJECT = st.lists(TOKEN, min_size=1, max_size=5).map(".".join)


@given(first=SUBJECT, second=SUBJECT)
def test_distinct_subjects_get_distinct_stream_names(first: str, second: str) -> None:
    assert check_subject(first) == first
    assert (stream_name(first) == stream_name(second)) is (first == second)


@given(subject=SUBJECT)
def test_stream_names_are_valid_for_jetstream(subject: str) -> None:
    name = stream_name(subject)
    assert name.startswith("SHIELDWALL_")
    assert not set(name) & set(". *>/\\\t")


@given(text=st.text(max_size=20))
def test_any_text_is_either_a_subject_or_refused_with_a_bus_error(text: str) -> None:
    try:
        accepted = check_subject(text)
    except BusError as error:
        assert repr(text) in str(error)
    else:
        assert accepted == text
        assert all(token and "_" not in token for token in text.split("."))


def test_a_subject_too_long_is_refused() -> None:
    with pytest.raises(BusError, match="up to 128"):
        check_subject("a" * 129)


@pytest.mark.parametrize("name", ["detect", "normalise-2", "0"])
def test_plain_consumer_names_are_accepted(name: str) -> None:
    assert check_consumer(name) == name


@pytest.mark.parametrize("key", ["evtx:host/file.evtx:42", "a b", "ключ"])
def test_printable_keys_are_accepted(key: str) -> None:
    assert check_key("events.raw", key) == key


def test_a_refused_key_names_the_subject() -> None:
    with pytest.raises(BusError, match=r"events\.raw"):
        check_key("events.raw", "tab\there")


KEYS = st.lists(
    st.one_of(st.text(max_size=12), st.text(min_size=250, max_size=260), st.just(" edge ")),
    max_size=6,
)


@given(keys=KEYS)
def test_a_batch_is_refused_for_its_first_bad_key_as_one_by_one(keys: list[str]) -> None:
    messages = [(key, b"") for key in keys]
    first_error = None
    for key in keys:
        try:
            check_key("events.raw", key)
        except BusError as error:
            first_error = str(error)
            break
    try:
        check_batch("events.raw", messages)
    except BusError as error:
        assert str(error) == first_error
    else:
        assert first_error is None
