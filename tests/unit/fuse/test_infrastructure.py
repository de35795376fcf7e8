"""Campaign links beyond the indicator: networks, registered domains, URL hosts, chains."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from shieldwall.fuse import (
    CampaignRules,
    chain_links,
    registered_domain,
    technique_sequence,
    url_hosts,
)
from shieldwall.model.alert import Alert, Entities

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def test_networks_of_public_addresses_only() -> None:
    rules = CampaignRules()
    entities = Entities(ips=("8.8.4.4", "10.1.2.3", "127.0.0.1", "2001:4860:4860::8888", "nope"))
    assert rules.links(entities, {}) == {"net:8.8.4.0/24", "net:2001:4860:4860::/48"}
    assert CampaignRules(ipv4_prefix=16).links(Entities(ips=("8.8.4.4",)), {}) == {"net:8.8.0.0/16"}
    assert CampaignRules(by_network=False).links(entities, {}) == frozenset()


def test_registered_domains_by_the_bundled_public_suffix_list() -> None:
    assert registered_domain("a.b.evil.co.uk") == "evil.co.uk"
    assert registered_domain("WWW.Example.COM.") == "example.com"
    assert registered_domain("co.uk") is None
    links = CampaignRules().links(Entities(domains=("x.evil.co.uk",)), {})
    assert links == {"regdomain:evil.co.uk"}


def test_url_hosts_of_absolute_urls() -> None:
    event = {"url.full": "https://C2.Example.net:8443/p?q", "url.original": "/relative", "Url": 5}
    assert url_hosts(event) == {"c2.example.net"}
    assert url_hosts({"url.full": "http://[::1"}) == set()
    assert CampaignRules(by_url_host=False).links(Entities(), event) == frozenset()


def alert(seq: int, minute: int, *techniques: str) -> Alert:
    return Alert(
        key=str(seq),
        org_id="a",
        rule_id="r",
        rule_title="t",
        level="low",
        tags=(),
        event_time=T0.replace(minute=minute),
        source="s",
        matched={},
        event={},
        techniques=techniques,
        seq=seq,
        created_at=T0,
    )


def test_technique_sequence_by_event_time_first_seen_once() -> None:
    alerts = [alert(1, 30, "T3"), alert(2, 10, "T1", "T2"), alert(3, 20, "T2", "T4")]
    assert technique_sequence(alerts) == ("T1", "T2", "T4", "T3")


def test_chains_touching_the_new_techniques() -> None:
    sequence = ("T1", "T2", "T3", "T4")
    assert chain_links(sequence, 3, ["T4"]) == {"chain:T2>T3>T4"}
    assert chain_links(sequence, 2, ["T2"]) == {"chain:T1>T2", "chain:T2>T3"}
    assert chain_links(("T1",), 2, ["T1"]) == set()


@given(st.lists(st.sampled_from(["T1", "T2", "T3", "T4", "T5"]), unique=True), st.integers(2, 4))
def test_every_chain_is_an_ordered_run_of_the_sequence(sequence: list[str], length: int) -> None:
    for link in chain_links(sequence, length, sequence):
        run = link.removeprefix("chain:").split(">")
        assert len(run) == length
        start = sequence.index(run[0])
        assert sequence[start : start + length] == run
