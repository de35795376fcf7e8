"""Transport, authentication and content negotiation: checklist items T1-T10."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from shieldwall.config.settings import load_settings
from shieldwall.model.errors import ConfigError
from shieldwall.server import tls_options
from tests.unit.api.taxii.conftest import ROOT, TAXII, Taxii
from tests.unit.share.intel_world import indicator

MICROS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_T1_tls_is_passed_to_uvicorn_and_plain_http_only_on_loopback(tmp_path: Path) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    settings = load_settings(
        {
            "SHIELDWALL_TLS_CERT_FILE": str(cert),
            "SHIELDWALL_TLS_KEY_FILE": str(key),
            "SHIELDWALL_HOST": "0.0.0.0",
        }
    )
    settings.check_transport()
    options = tls_options(settings)
    assert options["ssl_certfile"] == str(cert) and options["ssl_keyfile"] == str(key)
    with pytest.raises(ConfigError, match="SHIELDWALL_HOST"):
        load_settings({"SHIELDWALL_HOST": "0.0.0.0"}).check_transport()
    with pytest.raises(ConfigError, match="both"):
        load_settings({"SHIELDWALL_TLS_CERT_FILE": str(cert)}).check_transport()
    assert tls_options(load_settings({})) == {}


def test_T2_basic_auth_with_the_token_as_password(taxii: Taxii) -> None:
    token = taxii.world.tokens["alpha-analyst"]
    basic = base64.b64encode(f"anyone:{token}".encode()).decode()
    ok = taxii.world.client.get(
        "/taxii2/", headers={"Accept": TAXII, "Authorization": f"Basic {basic}"}
    )
    assert ok.status_code == 200
    wrong = base64.b64encode(b"anyone:sw_nope").decode()
    for headers in ({}, {"Authorization": f"Basic {wrong}"}, {"Authorization": "Basic !!"}):
        refused = taxii.world.client.get("/taxii2/", headers={"Accept": TAXII, **headers})
        assert refused.status_code == 401
        assert "Basic" in refused.headers["WWW-Authenticate"]


def test_T3_bearer_tokens_are_the_stronger_scheme(taxii: Taxii) -> None:
    assert taxii.get("/taxii2/").status_code == 200
    assert "Bearer" in taxii.get("/taxii2/", None).headers["WWW-Authenticate"]


@pytest.mark.parametrize(
    "accept", [None, "application/json", "*/*", "application/taxii+json;version=2.0"]
)
def test_T4_T5_unsupported_accept_gets_406(taxii: Taxii, accept: str | None) -> None:
    headers = taxii.world.auth("alpha-analyst")
    if accept:
        headers["Accept"] = accept
    for path in ("/taxii2/", f"{ROOT}/", f"{ROOT}/collections/"):
        response = taxii.world.client.get(path, headers=headers)
        assert response.status_code == 406
        assert response.json()["http_status"] == "406"


def test_T5_accept_without_version_is_answered_as_2_1(taxii: Taxii) -> None:
    headers = {**taxii.world.auth("alpha-analyst"), "Accept": "application/taxii+json"}
    response = taxii.world.client.get(f"{ROOT}/", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == TAXII


@pytest.mark.parametrize("content_type", [None, "application/json", "application/stix+json"])
def test_T6_post_with_a_wrong_content_type_gets_415(taxii: Taxii, content_type: str | None) -> None:
    headers = taxii.headers("alpha-analyst")
    if content_type:
        headers["Content-Type"] = content_type
    response = taxii.world.client.post(
        f"{ROOT}/collections/{taxii.collection_id()}/objects/",
        content=b'{"objects": []}',
        headers=headers,
    )
    assert response.status_code == 415


def test_T7_every_response_is_taxii_json_including_errors(taxii: Taxii) -> None:
    for response in (taxii.get("/taxii2/"), taxii.get(f"{ROOT}/collections/")):
        assert response.headers["content-type"] == TAXII
        assert isinstance(response.json(), dict)
    for response in (taxii.get("/taxii2/nope/"), taxii.get("/taxii2/", None)):
        assert response.headers["content-type"] == TAXII
        assert response.json()["title"] and response.json()["http_status"].isdigit()


def test_T8_authentication_comes_before_any_existence_check(taxii: Taxii) -> None:
    real = taxii.collection_id()
    for path in (f"{ROOT}/collections/{real}/", f"{ROOT}/collections/unknown/", "/taxii2/x/"):
        assert taxii.get(path, None).status_code == 401


def test_T9_hidden_resources_are_404_not_403(taxii: Taxii) -> None:
    bravo_inbox = taxii.collection_id("To Bravo CSIRT", "bravo-analyst")
    response = taxii.objects(bravo_inbox, "alpha-analyst")
    assert response.status_code == 403  # listed (writable) but not readable: T14 wins
    hidden = taxii.get(f"{ROOT}/status/00000000-0000-4000-8000-000000000000/")
    assert hidden.status_code == 404


def test_T10_timestamps_are_utc_z_with_microseconds(taxii: Taxii) -> None:
    collection = taxii.collection_id()
    status = taxii.post(collection, [indicator("alpha")]).json()
    assert MICROS_Z.match(status["request_timestamp"])
    page = taxii.objects(collection)
    assert MICROS_Z.match(page.headers["X-TAXII-Date-Added-First"])
    assert MICROS_Z.match(page.headers["X-TAXII-Date-Added-Last"])
    manifest = taxii.get(f"{ROOT}/collections/{collection}/manifest/").json()
    record = manifest["objects"][0]
    assert MICROS_Z.match(record["date_added"]) and MICROS_Z.match(record["version"])
