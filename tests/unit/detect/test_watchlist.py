"""Watchlist matching: every kind, its normal form, and field extraction by source."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from shieldwall.detect.watchlist import Matcher, WatchEntry
from shieldwall.detect.watchlist_fields import split_hashes, url_host
from shieldwall.detect.watchlist_forms import ip_range, normal

SHA = "a" * 64
MD5 = "B" * 32


def matcher(*entries: tuple[str, str, str]) -> Matcher:
    return Matcher(WatchEntry(ident, kind, value) for ident, kind, value in entries)


def ids(found: tuple[WatchEntry, ...]) -> list[str]:
    return sorted(entry.indicator_id for entry in found)


def test_addresses_exact_and_nested_blocks() -> None:
    m = matcher(
        ("one", "ip", "10.1.2.3"),
        ("net8", "ip", "10.0.0.0/8"),
        ("net24", "ip", "10.1.2.0/24"),
        ("v6", "ip", "2001:db8::/32"),
        ("bad", "ip", "10.0.0.0/33"),
    )
    assert len(m) == 4
    assert ids(m.observe("ip", "10.1.2.3")) == ["net24", "net8", "one"]
    assert ids(m.observe("ip", "10.1.3.1")) == ["net8"]
    assert ids(m.observe("ip", "11.0.0.0")) == []
    assert ids(m.observe("ip", "2001:db8:ffff::1")) == ["v6"]
    assert ids(m.observe("ip", "not an ip")) == []


def test_domains_match_themselves_and_subdomains_only() -> None:
    m = matcher(("d", "domain", "Evil.Example."))
    assert ids(m.observe("domain", "evil.example")) == ["d"]
    assert ids(m.observe("domain", "A.B.EVIL.example.")) == ["d"]
    assert ids(m.observe("domain", "notevil.example")) == []
    assert ids(m.observe("domain", "example")) == []


def test_exact_kinds_and_their_case_rules() -> None:
    m = matcher(
        ("u", "url", "HTTP://Evil.Example"),
        ("h", "sha256", SHA.upper()),
        ("m", "md5", MD5),
        ("e", "email", "Boss@Evil.Example"),
        ("f", "file-name", "C:\\Tools\\EVIL.EXE"),
        ("a", "user-agent", "EvilBot/1.0"),
    )
    assert ids(m.observe("url", "http://evil.example/")) == ["u"]
    assert ids(m.observe("url", "http://evil.example/Other")) == []
    assert ids(m.observe("hash", SHA)) == ["h"]
    assert ids(m.observe("email", "boss@evil.example")) == ["e"]
    assert ids(m.observe("file-name", "/tmp/evil.exe")) == ["f"]
    assert ids(m.observe("user-agent", " EvilBot/1.0 ")) == ["a"]
    assert ids(m.observe("user-agent", "evilbot/1.0")) == []


def test_fields_of_windows_ecs_and_zeek_events() -> None:
    m = matcher(
        ("ip", "ip", "203.0.113.9"),
        ("dom", "domain", "evil.example"),
        ("md5", "md5", MD5),
        ("exe", "file-name", "evil.exe"),
    )
    windows = {
        "DestinationIp": "203.0.113.9",
        "QueryName": "c2.evil.example",
        "Hashes": f"SHA1={'c' * 40},MD5={MD5},IMPHASH={'d' * 32}",
        "Image": "C:\\x\\evil.exe",
        "CommandLine": "203.0.113.9 evil.example",
    }
    hits = m.match(windows)
    assert sorted((h.entry.indicator_id, h.field) for h in hits) == [
        ("dom", "QueryName"),
        ("exe", "Image"),
        ("ip", "DestinationIp"),
        ("md5", "Hashes"),
    ]
    assert [h.entry.indicator_id for h in m.match({"source.ip": ["1.1.1.1", "203.0.113.9"]})] == [
        "ip"
    ]
    assert [h.field for h in m.match({"id.resp_h": "203.0.113.9", "query": "evil.example"})] == [
        "id.resp_h",
        "query",
    ]
    assert m.match({"destination.ip": 42, "dns.question.name": None}) == []


addresses = st.integers(min_value=0, max_value=2**32 - 1)


@given(st.lists(st.tuples(addresses, st.integers(0, 32)), max_size=12), addresses)
def test_blocks_agree_with_ipaddress(blocks: list[tuple[int, int]], probe: int) -> None:
    networks = [ipaddress.ip_network((base, bits), strict=False) for base, bits in blocks]
    m = Matcher(WatchEntry(f"n{i}", "ip", str(net)) for i, net in enumerate(networks))
    address = ipaddress.ip_address(probe)
    expected = sorted(f"n{i}" for i, net in enumerate(networks) if address in net)
    assert ids(m.observe("ip", str(address))) == expected


@given(st.integers(0, 2**128 - 1), st.integers(0, 128))
def test_ipv6_ranges_agree_with_ipaddress(base: int, bits: int) -> None:
    net = ipaddress.IPv6Network((base, bits), strict=False)
    assert ip_range(str(net)) == (6, int(net.network_address), int(net.broadcast_address))


labels = st.lists(st.sampled_from(["a", "b", "evil", "ex", "com"]), min_size=1, max_size=4)


@given(labels, labels)
def test_domain_matches_exactly_when_a_label_suffix(indicator: list[str], seen: list[str]) -> None:
    m = matcher(("d", "domain", ".".join(indicator)))
    expected = seen[-len(indicator) :] == indicator and len(seen) >= len(indicator)
    assert bool(m.observe("domain", ".".join(seen))) is expected


hexes = st.text(alphabet="0123456789abcdefABCDEF", min_size=32, max_size=64)


@given(st.lists(st.tuples(st.sampled_from(["MD5", "SHA1", "SHA256", "IMPHASH"]), hexes)))
def test_hashes_lists_give_their_file_digests(pairs: list[tuple[str, str]]) -> None:
    text = ",".join(f"{name}={digest}" for name, digest in pairs)
    expected = [digest for name, digest in pairs if name != "IMPHASH"]
    assert list(split_hashes(text)) == expected


@given(st.text(max_size=60))
def test_normal_forms_are_idempotent(text: str) -> None:
    for kind in ("url", "domain", "email", "file-name", "user-agent", "md5"):
        once = normal(kind, text)
        assert once is None or normal(kind, once) == once


@given(
    st.sampled_from(["http", "HTTPS", "hxxp"]),
    st.from_regex(r"[A-Za-z0-9.-]{1,20}", fullmatch=True),
    st.from_regex(r"(/[A-Za-z0-9]{0,8}){0,3}(\?[a-z=&]{0,8})?", fullmatch=True),
)
def test_urls_ignore_case_of_scheme_and_host_only(scheme: str, host: str, rest: str) -> None:
    m = matcher(("u", "url", f"{scheme}://{host}{rest}"))
    assert ids(m.observe("url", f"{scheme.upper()}://{host.swapcase()}{rest}")) == ["u"]
    if rest.strip("/") and rest.swapcase() != rest:
        assert ids(m.observe("url", f"{scheme}://{host}{rest.swapcase()}")) == []


def test_an_observed_urls_host_is_an_address_or_a_domain() -> None:
    m = matcher(("dom", "domain", "evil.example"), ("ip", "ip", "2001:db8::/32"))
    found = m.match({"url.original": "https://user@c2.EVIL.example:8443/x?y#z"})
    assert [(h.entry.indicator_id, h.observed) for h in found] == [("dom", "c2.EVIL.example")]
    assert [h.entry.indicator_id for h in m.match({"url.full": "http://[2001:db8::1]:80/"})] == [
        "ip"
    ]
    assert m.match({"url.original": "no scheme evil.example"}) == []


@given(st.from_regex(r"[a-z0-9.-]{1,20}", fullmatch=True), st.integers(1, 65535))
def test_url_host_drops_user_port_and_path(host: str, port: int) -> None:
    assert url_host(f"http://u:p@{host}:{port}/a/b?c") == host
    assert url_host(f"HTTP://{host}") == host


POOL = (
    ("ip", "10.1.2.3"),
    ("ip", "10.1.2.0/24"),
    ("ip", "10.0.0.0/8"),
    ("ip", "2001:db8::1"),
    ("ip", "2001:db8::/32"),
    ("domain", "evil.example"),
    ("domain", "a.evil.example"),
    ("url", "HTTP://Evil.example/x"),
    ("sha256", SHA),
    ("md5", MD5),
    ("email", "x@evil.example"),
    ("file-name", "EVIL.EXE"),
    ("user-agent", "Agent/1"),
    ("ip", "not an address"),
)
PROBES = (
    ("ip", "10.1.2.3"),
    ("ip", "10.9.9.9"),
    ("ip", "2001:db8::1"),
    ("ip", "2001:db8::2"),
    ("domain", "b.a.evil.example"),
    ("url", "http://evil.example/x"),
    ("hash", SHA),
    ("hash", MD5.lower()),
    ("email", "X@evil.example"),
    ("file-name", "c:\\evil.exe"),
    ("user-agent", "Agent/1"),
)
held = st.lists(st.tuples(st.integers(0, 5), st.sampled_from(POOL)), max_size=12)


@given(held, held, st.sets(st.integers(0, 5)))
def test_a_revised_matcher_matches_as_one_built_from_its_entries(
    before: list[tuple[int, tuple[str, str]]],
    fresh: list[tuple[int, tuple[str, str]]],
    changed: set[int],
) -> None:
    """Indicators ``changed`` lose their entries and take those of ``fresh``."""
    old = {WatchEntry(f"i{n}", kind, value) for n, (kind, value) in before}
    new = {WatchEntry(f"i{n}", kind, value) for n, (kind, value) in fresh if n in changed}
    removed = [entry for entry in old if int(entry.indicator_id[1:]) in changed]
    kept = old - set(removed)
    original = Matcher(sorted(old, key=str))
    revised = original.revised(removed, sorted(new, key=str))
    expected = Matcher(sorted(kept | new, key=str))
    assert len(revised) == len(expected)
    for kind, value in PROBES:
        assert ids(revised.observe(kind, value)) == ids(expected.observe(kind, value))
        assert ids(original.observe(kind, value)) == ids(Matcher(old).observe(kind, value))
