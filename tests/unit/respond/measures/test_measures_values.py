"""Values a measure may carry: canonical forms, and hostile ones refused with a reason.

Property: whatever text is offered, either it is refused with an InputError, or what is
admitted holds none of the characters that end a value in a Suricata rule, an RPZ zone,
an nftables set or a Zeek file (quotes, semicolons, blanks, newlines, backslashes), and
writing it into every format adds exactly the lines one value adds: nothing is injected.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.model.errors import InputError
from shieldwall.model.measures import MeasureKind
from shieldwall.respond.measures.formats import WRITERS
from shieldwall.respond.measures.items import Item
from shieldwall.respond.measures.values import normalise
from tests.unit.respond.measures.hostile import CONTEXT, INJECTIONS, T0

NEVER = set('\n\r"\t\\ |{}`\x00')
"""No admitted value holds one of these, whatever its kind."""
LINE_FORMATS = ("plain", "suricata", "nftables", "zeek")
BENIGN = {
    MeasureKind.IP: ("192.0.2.1", "2001:db8:ffff::1"),
    MeasureKind.DOMAIN: ("benign.example",),
    MeasureKind.URL: ("http://benign.example/",),
    MeasureKind.MD5: ("0" * 32,),
    MeasureKind.SHA1: ("0" * 40,),
    MeasureKind.SHA256: ("0" * 64,),
}


@pytest.mark.parametrize(
    ("kind", "given_", "expected"),
    [
        (MeasureKind.IP, "198.51.100.7", "198.51.100.7"),
        (MeasureKind.IP, "198.51.100.7/32", "198.51.100.7"),
        (MeasureKind.IP, "2001:DB8::/32", "2001:db8::/32"),
        (MeasureKind.DOMAIN, "Evil.Example.", "evil.example"),
        (MeasureKind.URL, "HTTPS://Evil.example", "https://evil.example/"),
        (MeasureKind.SHA256, "AB" * 32, "ab" * 32),
    ],
)
def test_values_are_written_in_their_canonical_form(
    kind: MeasureKind, given_: str, expected: str
) -> None:
    assert normalise(kind, given_) == expected


@pytest.mark.parametrize(
    ("kind", "hostile", "reason"),
    [
        (MeasureKind.DOMAIN, 'evil.example";drop', "not letters"),
        (MeasureKind.DOMAIN, "evil.example\n*.bank.example CNAME .", "not letters"),
        (MeasureKind.DOMAIN, "evil.example; comment", "not letters"),
        (MeasureKind.DOMAIN, "bücher.example", "ASCII"),
        (MeasureKind.DOMAIN, "localhost", "two labels"),
        (MeasureKind.URL, 'http://evil.example/"; sid:1;', "RFC 3986"),
        (MeasureKind.URL, "http://evil.example/a\nalert ip any any", "RFC 3986"),
        (MeasureKind.URL, "ftp://evil.example/", "http"),
        (MeasureKind.URL, "http://evil.example:99999/", "port"),
        (MeasureKind.IP, "10.0.0.1/8", "host bits"),
        (MeasureKind.IP, "fe80::1%eth0", "scope"),
        (MeasureKind.IP, "10.0.0.1, 10.0.0.2", "not an IP"),
        (MeasureKind.SHA256, "z" * 64, "hexadecimal"),
    ],
)
def test_hostile_values_are_refused_with_a_clear_reason(
    kind: MeasureKind, hostile: str, reason: str
) -> None:
    with pytest.raises(InputError, match=reason):
        normalise(kind, hostile)


def _lines(fmt: str, items: list[Item]) -> int:
    spec = WRITERS[fmt]  # type: ignore[index]
    return spec.write(items, CONTEXT).decode().count("\n")


hostile_text = st.text(
    alphabet=st.sampled_from([*"abcxyz09.-_:/[]?=&;'%", *INJECTIONS]), min_size=1, max_size=40
)
base_values = st.sampled_from(
    ["evil.example", "http://evil.example/a", "198.51.100.7", "2001:db8::1"]
)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(list(MeasureKind)),
    base=base_values,
    noise=hostile_text,
    at=st.integers(min_value=0, max_value=40),
)
def test_no_admitted_value_can_inject_into_any_format(
    kind: MeasureKind, base: str, noise: str, at: int
) -> None:
    offered = base[:at] + noise + base[at:]
    try:
        value = normalise(kind, offered)
    except InputError as exc:
        assert exc.reason  # refused, and says why
        return
    assert not NEVER & set(value), value
    one = [Item(kind, value, "m", "r", 50, T0)]
    benign = [Item(kind, v, "b", "r", 50, T0) for v in BENIGN[kind]]
    for fmt in LINE_FORMATS:  # one more value is one more line at most
        assert _lines(fmt, benign + one) - _lines(fmt, benign) <= 1, (fmt, value)
    rpz = WRITERS["rpz"].write(one, CONTEXT).decode()  # type: ignore[index]
    assert rpz.count("\n") - 4 <= 2 and ";" not in rpz.split("\n", 1)[1]
    rules = WRITERS["suricata"].write(one, CONTEXT).decode()  # type: ignore[index]
    for line in rules.splitlines()[2:]:
        assert line.count('"') % 2 == 0 and line.endswith("rev:1;)")
        assert line.count(";") == _expected_semicolons(line)


def _expected_semicolons(line: str) -> int:
    """Options end in ';' and nothing inside a quoted string holds one."""
    inside = False
    count = 0
    for char in line:
        if char == '"':
            inside = not inside
        elif char == ";" and inside:
            return -1
        elif char == ";":
            count += 1
    return count
