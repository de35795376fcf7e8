"""The console's upload reader: any body gives a form or a clean refusal, and a browser's
multipart encoding of fields and a file reads back exactly."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.web.upload import UploadForm, parse_form

TYPE = "multipart/form-data; boundary=sweboundary"
NAME = st.text(st.characters(min_codepoint=48, max_codepoint=122), min_size=1, max_size=12)
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@given(st.binary(max_size=2000), st.sampled_from([TYPE, "multipart/form-data", "text/plain"]))
def test_any_body_gives_a_form_or_an_input_error(body: bytes, content_type: str) -> None:
    try:
        form = parse_form(content_type, body)
    except InputError:
        return
    assert isinstance(form, UploadForm)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in form.fields.items())


@given(
    st.dictionaries(NAME.filter(lambda n: n != "file"), TEXT, max_size=5),
    st.binary(max_size=3000),
    st.text("abcXYZ019-_. ", min_size=1, max_size=30),
)
def test_what_a_client_sends_is_what_is_read(
    fields: dict[str, str], data: bytes, name: str
) -> None:
    request = httpx.Request(
        "POST", "http://x/", data=fields, files={"file": (f"dir/{name}.json", data)}
    )
    body = request.read()
    form = parse_form(request.headers["content-type"], body)
    assert form.file_data == data
    assert form.file_name == f"{name}.json"  # the folder a browser may send is dropped
    assert form.fields == fields


def test_a_body_that_is_not_multipart_is_refused() -> None:
    with pytest.raises(InputError, match="multipart"):
        parse_form("text/plain", b"hello")
