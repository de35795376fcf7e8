"""The envelope and status parsers: any bytes give a value or an InputError naming the place."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.share.taxii_client.envelope import parse_envelope, parse_status

FEED = "partner-feed"
PLACE = "GET /api1/collections/c/objects/"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
envelope_like = st.fixed_dictionaries(
    {},
    optional={
        "objects": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "type": st.sampled_from(["indicator", "malware", 3]),
                    "id": st.sampled_from(["indicator--1", "malware--2", "x", None]),
                    "modified": json_values,
                },
            )
            | json_values,
            max_size=5,
        )
        | json_values,
        "more": json_values,
        "next": json_values,
    },
)


def _encode(value: Any) -> bytes:
    return json.dumps(value).encode()


@settings(max_examples=400)
@given(st.one_of(st.binary(max_size=200), json_values.map(_encode), envelope_like.map(_encode)))
def test_any_input_gives_an_envelope_or_an_input_error_naming_feed_and_place(body: bytes) -> None:
    try:
        envelope = parse_envelope(body, source=FEED, place=PLACE)
    except InputError as exc:
        assert exc.source == FEED
        assert exc.place.startswith(PLACE)
    else:
        assert all(obj["id"].startswith(obj["type"] + "--") for obj in envelope.objects)
        assert all(r.place.startswith(PLACE + ".objects[") for r in envelope.rejected)


@settings(max_examples=300)
@given(st.one_of(st.binary(max_size=200), json_values.map(_encode)))
def test_any_input_gives_a_status_or_an_input_error_naming_feed_and_place(body: bytes) -> None:
    try:
        status = parse_status(body, source=FEED, place=PLACE)
    except InputError as exc:
        assert exc.source == FEED
        assert exc.place.startswith(PLACE)
    else:
        assert status.status in ("pending", "complete")


def test_bad_objects_are_rejected_one_by_one_and_the_rest_kept() -> None:
    body = _encode(
        {
            "more": True,
            "next": "abc",
            "objects": [
                {"type": "indicator", "id": "indicator--1", "modified": "2024-01-01T00:00:00Z"},
                {"type": "indicator", "id": "malware--2"},
                "not an object",
                {"type": "malware", "id": "malware--3"},
            ],
        }
    )
    envelope = parse_envelope(body, source=FEED, place=PLACE)
    assert [obj["id"] for obj in envelope.objects] == ["indicator--1", "malware--3"]
    assert [r.place for r in envelope.rejected] == [f"{PLACE}.objects[1]", f"{PLACE}.objects[2]"]
    assert "does not start with its type" in envelope.rejected[0].reason
    assert (envelope.more, envelope.next) == (True, "abc")


@pytest.mark.parametrize(
    ("body", "place", "reason"),
    [
        (b"[]", PLACE, "envelope must be a JSON object"),
        (b'{"more": "yes"}', f"{PLACE}.more", "more must be a bool"),
        (b'{"objects": {}}', f"{PLACE}.objects", "objects must be a list"),
        (b'{"more": NaN}', PLACE, "NaN is not JSON"),
        (b"\xff\xfe{", PLACE, "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, PLACE, "nested too deeply"),
    ],
)
def test_malformed_envelopes_name_the_place(body: bytes, place: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_envelope(body, source=FEED, place=PLACE)
    assert caught.value.place == place
    assert reason in str(caught.value)
    assert str(caught.value).startswith(f"{FEED}:{PLACE}")


def test_status_reports_each_failure_with_its_message() -> None:
    body = _encode(
        {
            "id": "s1",
            "status": "complete",
            "total_count": 2,
            "success_count": 1,
            "failure_count": 1,
            "pending_count": 0,
            "successes": [{"id": "indicator--1", "version": "v1"}],
            "failures": [{"id": "indicator--2", "version": "v2", "message": "duplicate"}],
        }
    )
    status = parse_status(body, source=FEED, place=PLACE)
    assert status.complete
    assert [(f.id, f.message) for f in status.failures] == [("indicator--2", "duplicate")]
    with pytest.raises(InputError, match=r"failures\[0\]\.id"):
        parse_status(
            _encode({"id": "s", "status": "complete", "failures": [{"id": ""}]}),
            source=FEED,
            place=PLACE,
        )
