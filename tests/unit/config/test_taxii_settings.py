"""TAXII feeds and partners in the TOML settings: validated, secrets only by variable name."""

from __future__ import annotations

from pathlib import Path

import pytest

from shieldwall.config.settings import load_settings
from shieldwall.model.errors import ConfigError

FEED = """
[[shieldwall.taxii_feeds]]
name = "cert-eu"
url = "https://taxii.example.org:8443"
api_root = "/api1"
collection_id = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
auth = "bearer"
token_env = "CERT_EU_TOKEN"
interval_seconds = 900
max_objects_per_run = 5000
"""


def _load(tmp_path: Path, text: str) -> object:
    config = tmp_path / "shieldwall.toml"
    config.write_text(text)
    return load_settings({}, config)


def test_a_feed_is_read_from_the_toml_file_with_defaults(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text(
        FEED + '\n[[shieldwall.taxii_partners]]\nname = "p"\n'
        'url = "https://partner.example"\ncollection_id = "c"\nmax_tlp = "amber"\n'
    )
    settings = load_settings({}, config)
    (feed,) = settings.taxii_feeds
    assert (feed.url, feed.api_root, feed.interval_seconds) == (
        "https://taxii.example.org:8443",
        "/api1/",
        900,
    )
    assert feed.page_size == 1000 and feed.allow_private_addresses is False
    assert settings.taxii_partners[0].max_tlp == "amber"


@pytest.mark.parametrize(
    ("change", "key", "reason"),
    [
        (
            ("https://taxii.example.org:8443", "https://u:pw@taxii.example.org"),
            "taxii_feeds[0].url",
            "must not carry credentials",
        ),
        (
            ("https://taxii.example.org:8443", "https://taxii.example.org/api1"),
            "taxii_feeds[0].url",
            "origin only",
        ),
        (
            ("https://taxii.example.org:8443", "http://taxii.example.org"),
            "taxii_feeds[0]",
            "allow_plain_http",
        ),
        (
            ("https://taxii.example.org:8443", "ftp://taxii.example.org"),
            "taxii_feeds[0].url",
            "http(s)",
        ),
        (('"/api1"', '"/../admin/"'), "taxii_feeds[0].api_root", "segments"),
        (('"CERT_EU_TOKEN"', '"SHIELDWALL_TOKEN"'), "taxii_feeds[0].token_env", "reserved"),
        (('token_env = "CERT_EU_TOKEN"', ""), "taxii_feeds[0]", "bearer auth needs token_env"),
        (
            ("interval_seconds = 900", "interval_seconds = 0"),
            "taxii_feeds[0].interval_seconds",
            "greater than or equal",
        ),
        (('name = "cert-eu"', 'name = "Bad Name"'), "taxii_feeds[0].name", "pattern"),
    ],
)
def test_bad_feed_settings_name_the_feed_and_field(
    tmp_path: Path, change: tuple[str, str], key: str, reason: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, FEED.replace(*change))
    assert caught.value.key == key
    assert reason in caught.value.reason
    assert "pw@" not in str(caught.value)


def test_two_feeds_with_one_name_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'cert-eu' is used twice") as caught:
        _load(tmp_path, FEED + FEED)
    assert caught.value.key == "taxii_feeds"
