"""The identity key of an e-mail address: every spelling of one address, one key."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.model.emails import email_key

ASCII_PART = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789._-+"), min_size=1, max_size=20
)
addresses = st.builds(lambda local, domain: f"{local}@{domain}.example", ASCII_PART, ASCII_PART)


def _fullwidth(char: str) -> str:
    return chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char


@st.composite
def spellings(draw: st.DrawFn, address: str) -> str:
    """The same address, written otherwise: case, full-width forms, spaces around it."""
    out = []
    for char in address:
        form = draw(st.sampled_from(["keep", "upper", "fullwidth", "fullwidth-upper"]))
        if form == "upper":
            char = char.upper()
        elif form == "fullwidth":
            char = _fullwidth(char)
        elif form == "fullwidth-upper":
            char = _fullwidth(char.upper())
        out.append(char)
    pad = draw(st.sampled_from(["", " ", "\t", "\u3000"]))
    return pad + "".join(out) + pad


@given(st.text(max_size=60))
@settings(max_examples=2000)
def test_a_key_is_its_own_key(text: str) -> None:
    key = email_key(text)
    assert email_key(key) == key


@given(data=st.data(), address=addresses)
@settings(max_examples=500)
def test_every_spelling_of_an_address_has_its_key(data: st.DataObject, address: str) -> None:
    assert email_key(data.draw(spellings(address))) == email_key(address) == address


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30))
def test_canonically_equivalent_forms_share_a_key(text: str) -> None:
    composed = unicodedata.normalize("NFC", text)
    decomposed = unicodedata.normalize("NFD", text)
    assert email_key(composed + "@x") == email_key(decomposed + "@x")


@given(addresses, addresses)
def test_different_addresses_keep_different_keys(first: str, second: str) -> None:
    assert (email_key(first) == email_key(second)) is (first == second)


def test_named_foldings() -> None:
    assert email_key("Straße@Example.DE") == email_key("STRASSE@example.de") == "strasse@example.de"
    assert email_key("\u212aim@x.example") == "kim@x.example"  # the Kelvin sign
    assert email_key("\ufb01ona@x.example") == "fiona@x.example"  # the fi ligature
