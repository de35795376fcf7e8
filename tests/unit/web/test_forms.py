"""The console's form reader: any body gives fields or a clean refusal, never a crash."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request

from shieldwall.model.errors import InputError
from shieldwall.web.guard import MAX_FORM_BYTES, read_form


def _request(body: bytes) -> Request:
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {"type": "http", "method": "POST", "headers": [], "path": "/", "query_string": b""}
    return Request(scope, receive)


@given(st.binary(max_size=2000))
def test_any_body_gives_text_fields(body: bytes) -> None:
    form = asyncio.run(read_form(_request(body)))
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in form.items())


TEXT = st.characters(blacklist_categories=("Cs",))


@given(st.dictionaries(st.text(TEXT, min_size=1, max_size=20), st.text(TEXT, max_size=50)))
def test_fields_sent_are_the_fields_read(fields: dict[str, str]) -> None:
    body = urlencode(fields).encode()
    assert asyncio.run(read_form(_request(body))) == fields


def test_a_too_large_form_is_refused() -> None:
    with pytest.raises(InputError):
        asyncio.run(read_form(_request(b"a=" + b"x" * MAX_FORM_BYTES)))
