"""No input makes the server answer 5xx (issue 9, item 4): every endpoint, fuzzed.

The endpoints are read from the application itself (the REST OpenAPI document and the
TAXII router), so a new endpoint is fuzzed without an edit here. Hypothesis fills path
parameters, query parameters (the endpoint's own names and stray ones) and bodies: plain
JSON of any shape, JSON nested past every parser's depth, huge integers, strings with NUL
and surrogates, and STIX envelopes whose indicators carry hostile patterns. Every answer is
below 500 and carries no traceback, whoever asks (40 requests per endpoint).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
import pytest
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.api.app import ROUTERS
from shieldwall.api.taxii.routes import router as taxii_router
from tests.unit.api.conftest import World, build_world

TAXII_MEDIA = "application/taxii+json;version=2.1"
CALLERS = ("centre-admin", "centre-admin", "alpha-lead", "alpha-analyst", "bravo-sensor", None)
PARAM = re.compile(r"\{([a-z_]+)\}")
TAXII_QUERY = ("added_after", "limit", "next", "match[id]", "match[type]", "match[version]")
Endpoint = tuple[str, str, tuple[tuple[str, str], ...]]
"""Method, path template, and each query parameter with the kind of value it takes."""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    # a live stream (GET /api/v1/stream) ends by itself: the test client reads whole bodies
    built = build_world(tmp_path_factory.mktemp("never-5xx"), SHIELDWALL_STREAM_MAX_SECONDS="0.2")
    yield built
    built.services.close()


def _endpoints() -> list[Endpoint]:
    """(method, path template, query names) of every REST and TAXII endpoint."""
    found: list[Endpoint] = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            names = tuple(
                (p.name, _kind(p.field_info.annotation)) for p in route.dependant.query_params
            )
            found.extend((method, route.path, names) for method in sorted(route.methods))
    taxii_query = tuple((name, "int" if name == "limit" else "str") for name in TAXII_QUERY)
    for route in taxii_router.routes:
        assert isinstance(route, APIRoute)
        found.extend((m, "/taxii2" + route.path, taxii_query) for m in sorted(route.methods))
    return found


def _kind(annotation: Any) -> str:
    """How to fuzz a query parameter: by the type the endpoint declares for it."""
    text = str(annotation)
    for kind in ("bool", "int", "float"):
        if kind in text and "str" not in text:
            return kind
    return "str"


ENDPOINTS = _endpoints()


texts = st.one_of(
    st.sampled_from(["intel", "0", "-1", "9" * 40, "%00", "..", "a/b", "indicator--x"]),
    st.integers(2**62, 2**200).map(str),
    st.text(max_size=40),
    st.uuids().map(lambda u: f"indicator--{u}"),
    st.uuids().map(str),
    st.integers().map(str),
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=30),
)
json_values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def hostile_indicator(pattern: str) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z",
    }


numbers = st.one_of(st.integers(-5, 1000), st.integers(2**62, 2**80), st.integers())
VALUES: dict[str, st.SearchStrategy[str]] = {
    "str": texts,
    "int": numbers.map(str),
    "float": st.one_of(numbers.map(str), st.floats().map(str)),
    "bool": st.sampled_from(["true", "false", "1", "yes", "maybe"]),
}
hostile_patterns = st.one_of(
    st.integers(1, 3000).map(lambda n: "(" * n + "[a:b = 'c']" + ")" * n),
    st.integers(1, 3000).map(lambda n: "[" + " OR ".join(["a:b = 'c'"] * n) + "]"),
    st.text(max_size=200),
)
bodies = st.one_of(
    json_values.map(orjson.dumps),
    st.integers(100, 5000).map(deep),
    st.binary(max_size=200),
    st.just(b'{"objects": [' + b"9" * 5000 + b"]}"),
    st.lists(hostile_patterns.map(hostile_indicator), min_size=1, max_size=3).map(
        lambda objects: orjson.dumps({"objects": objects})
    ),
    json_values.map(lambda v: orjson.dumps({"objects": [v]})),
)


@st.composite
def requests(
    draw: st.DrawFn, endpoint: Endpoint
) -> tuple[str, str, dict[str, str], bytes, str | None]:
    method, template, names = endpoint
    path = PARAM.sub(lambda m: quote(draw(texts), safe=""), template)
    query = {
        name: draw(VALUES[kind]) for name, kind in [*names, ("x", "str")] if draw(st.booleans())
    }
    body = draw(bodies) if method in ("POST", "PUT") else b""
    return method, path, query, body, draw(st.sampled_from(CALLERS))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
def test_no_request_is_answered_with_5xx(world: World, endpoint: Endpoint) -> None:
    """Hypothesis requests to one endpoint, as callers of every kind."""

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(requests(endpoint))
    def fuzz(request: tuple[str, str, dict[str, str], bytes, str | None]) -> None:
        method, path, query, body, caller = request
        headers = {"Content-Type": "application/json", "Accept": "*/*"}
        if path.startswith("/taxii2"):
            headers = {"Content-Type": TAXII_MEDIA, "Accept": TAXII_MEDIA}
        if caller is not None:
            headers |= world.auth(caller)
        response = world.client.request(method, path, params=query, content=body, headers=headers)
        assert response.status_code < 500, (method, path, query, body[:200], response.text[:300])
        assert "Traceback" not in response.text

    fuzz()


def test_the_fuzzer_reaches_every_endpoint(world: World) -> None:
    """Every path the running application documents is in the fuzzed list."""
    documented = set(world.client.app.openapi()["paths"])  # type: ignore[attr-defined]
    fuzzed = {path for _, path, _ in ENDPOINTS}
    assert documented <= fuzzed
    assert "/taxii2/{root}/collections/{collection_id}/objects/" in fuzzed


def test_deep_json_is_a_4xx(world: World, tmp_path: Path) -> None:
    """One example kept explicit: 2,000 nested arrays in a TAXII POST."""
    headers = {"Content-Type": TAXII_MEDIA, "Accept": TAXII_MEDIA, **world.auth("alpha-lead")}
    response = world.client.post(
        "/taxii2/intel/collections/x/objects/", content=deep(2000), headers=headers
    )
    assert 400 <= response.status_code < 500
