"""Sigma's generic dns, firewall, proxy and webserver names beside each format's own."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shieldwall.model.event import RawRecord, RecordFormat, SourceRef
from shieldwall.normalise import normalise
from shieldwall.normalise.aliases import add_aliases
from shieldwall.normalise.sigma_web import add_web_names


def _fields(fmt: RecordFormat, payload: Any, hint: str = "") -> dict[str, Any]:
    return normalise(RawRecord(SourceRef("t.log", 1), fmt, payload, hint)).fields


def test_eve_dns_gets_query_answer_record_type() -> None:
    eve = {
        "event_type": "dns",
        "src_ip": "10.0.0.5",
        "dest_ip": "10.0.0.1",
        "dest_port": 53,
        "dns": {
            "type": "answer",
            "rrname": "c2.example.top",
            "rrtype": "TXT",
            "answers": [{"rrname": "c2.example.top", "rrtype": "TXT", "rdata": "IEX(x)"}],
        },
    }
    fields = _fields("suricata", eve)
    assert (fields["query"], fields["record_type"], fields["answer"]) == (
        "c2.example.top",
        "TXT",
        ["IEX(x)"],
    )
    assert (fields["dns.rrname"], fields["dst_ip"], fields["dst_port"]) == (
        "c2.example.top",
        "10.0.0.1",
        53,
    )


def test_eve_3_queries_and_grouped_answers() -> None:
    eve = {
        "event_type": "dns",
        "dns": {"queries": [{"rrname": "a.example", "rrtype": "A"}], "grouped": {"A": ["1.2.3.4"]}},
    }
    fields = _fields("suricata", eve)
    assert (fields["query"], fields["record_type"], fields["answer"]) == (
        ["a.example"],
        ["A"],
        ["1.2.3.4"],
    )


def test_eve_http_gets_proxy_and_webserver_names() -> None:
    eve = {
        "event_type": "http",
        "http": {
            "hostname": "files.example",
            "url": "/drop/payload.exe?id=7",
            "http_user_agent": "curl/8.0",
            "http_method": "GET",
            "status": 200,
            "http_refer": "http://ref.example/",
        },
    }
    fields = _fields("suricata", eve)
    assert {k: fields[k] for k in WEB_EXPECTED} == WEB_EXPECTED | {"sc-status": 200}
    assert fields["http.url"] == "/drop/payload.exe?id=7"


WEB_EXPECTED: dict[str, Any] = {
    "c-uri": "/drop/payload.exe?id=7",
    "cs-uri": "/drop/payload.exe?id=7",
    "c-uri-stem": "/drop/payload.exe",
    "cs-uri-stem": "/drop/payload.exe",
    "c-uri-query": "id=7",
    "cs-uri-query": "/drop/payload.exe?id=7",
    "c-uri-extension": "exe",
    "c-useragent": "curl/8.0",
    "cs-user-agent": "curl/8.0",
    "cs-host": "files.example",
    "r-dns": "files.example",
    "cs-method": "GET",
    "sc-status": 200,
    "cs-referrer": "http://ref.example/",
    "cs-referer": "http://ref.example/",
}


def test_zeek_http_and_ecs_web_get_the_same_names() -> None:
    zeek = {
        "_path": "http",
        "host": "files.example",
        "uri": "/drop/payload.exe?id=7",
        "user_agent": "curl/8.0",
        "method": "GET",
        "status_code": 200,
        "referrer": "http://ref.example/",
    }
    ecs = {
        "url": {"original": "/drop/payload.exe?id=7", "domain": "files.example"},
        "user_agent": {"original": "curl/8.0"},
        "http": {
            "request": {"method": "GET", "referrer": "http://ref.example/"},
            "response": {"status_code": 200},
        },
    }
    for fields in (_fields("zeek", zeek, "http"), _fields("json", ecs)):
        assert {k: fields.get(k) for k in WEB_EXPECTED} == WEB_EXPECTED


def test_cef_gets_firewall_and_proxy_names() -> None:
    line = (
        "CEF:0|Zscaler|NSSWeblog|5.7|Allowed|Allowed|3|act=Allowed src=10.0.0.5 spt=50000 "
        "dst=203.0.113.9 dpt=443 request=https://files.example/x/tool.ps1 requestMethod=GET "
        "requestClientApplication=Mozilla/5.0 dhost=files.example suser=alice"
    )
    fields = _fields("cef", line)
    assert {k: fields[k] for k in ("src_ip", "dst_ip", "src_port", "dst_port", "action")} == {
        "src_ip": "10.0.0.5",
        "dst_ip": "203.0.113.9",
        "src_port": "50000",
        "dst_port": "443",
        "action": "Allowed",
    }
    assert (fields["c-uri"], fields["c-uri-stem"], fields["c-uri-extension"]) == (
        "https://files.example/x/tool.ps1",
        "/x/tool.ps1",
        "ps1",
    )
    assert (fields["cs-method"], fields["c-useragent"], fields["cs-host"]) == (
        "GET",
        "Mozilla/5.0",
        "files.example",
    )
    assert fields["request"] == "https://files.example/x/tool.ps1"


def test_zeek_conn_and_dns_names() -> None:
    conn = {"_path": "conn", "id.orig_h": "10.0.0.5", "id.orig_p": 1, "id.resp_h": "10.0.0.9",
            "id.resp_p": 445}  # fmt: skip
    fields = _fields("zeek", conn, "conn")
    assert {k: fields[k] for k in ("src_ip", "src_port", "dst_ip", "dst_port")} == {
        "src_ip": "10.0.0.5",
        "src_port": 1,
        "dst_ip": "10.0.0.9",
        "dst_port": 445,
    }
    dns = {"_path": "dns", "query": "x.top", "qtype_name": "TXT", "answers": ["TXT 3 abc"]}
    fields = _fields("zeek", dns, "dns")
    assert (fields["query"], fields["record_type"], fields["answer"]) == (
        "x.top",
        "TXT",
        ["TXT 3 abc"],
    )


def test_a_name_the_record_has_already_is_kept() -> None:
    fields: dict[str, Any] = {"src_ip": "own", "source.ip": "ecs"}
    add_aliases(fields, {"src_ip": ("source.ip",)})
    assert fields["src_ip"] == "own"


@pytest.mark.parametrize(
    ("uri", "stem", "query", "extension"),
    [
        ("http://h:8080/a/b.php?x=1#f", "/a/b.php", "x=1", "php"),
        ("http://h", "/", None, None),
        ("/.htaccess", "/.htaccess", None, None),
        ("/dir.d/file", "/dir.d/file", None, None),
        ("/q?", "/q", "", None),
        ("relative/x.js", "relative/x.js", None, "js"),
    ],
)
def test_url_parts(uri: str, stem: str, query: str | None, extension: str | None) -> None:
    fields: dict[str, Any] = {"url.original": uri}
    add_web_names(fields, {"c-uri": ("url.original",)})
    assert (fields["c-uri-stem"], fields.get("c-uri-query"), fields.get("c-uri-extension")) == (
        stem,
        query,
        extension,
    )


SEGMENT = st.text(alphabet="abcxyz019-_", min_size=1, max_size=8)


@given(
    st.lists(SEGMENT, min_size=1, max_size=4),
    st.one_of(st.none(), SEGMENT),
    st.one_of(st.none(), st.text(alphabet="abc=&%/.", max_size=12)),
    st.one_of(st.just(""), st.just("http://host.example:81")),
)
def test_url_parts_round_trip(
    segments: list[str], extension: str | None, query: str | None, origin: str
) -> None:
    path = "/" + "/".join(segments) + (f".{extension}" if extension else "")
    uri = origin + path + (f"?{query}" if query is not None else "")
    fields: dict[str, Any] = {"u": uri}
    add_web_names(fields, {"c-uri": ("u",)})
    assert fields["c-uri-stem"] == path
    assert fields.get("c-uri-query") == query
    assert fields.get("c-uri-extension") == extension
    assert fields["cs-uri-query"] == path + (f"?{query}" if query is not None else "")
