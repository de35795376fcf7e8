"""A running API (TestClient) with the seeded coalition, and TAXII request helpers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from httpx import Response

from tests.unit.api.conftest import World, build_world

TAXII = "application/taxii+json;version=2.1"
ROOT = "/taxii2/intel"


@dataclass
class Taxii:
    """TAXII calls as a named caller of the seeded world."""

    world: World

    def headers(self, caller: str | None, **extra: str) -> dict[str, str]:
        base = {"Accept": TAXII, **extra}
        return {**self.world.auth(caller), **base} if caller else base

    def get(self, path: str, caller: str | None = "alpha-analyst", **params: Any) -> Response:
        return self.world.client.get(path, params=params, headers=self.headers(caller))

    def collections(self, caller: str = "alpha-analyst") -> dict[str, dict[str, Any]]:
        listed = self.get(f"{ROOT}/collections/", caller).json().get("collections", [])
        return {c["title"]: c for c in listed}

    def collection_id(self, title: str = "Federation", caller: str = "alpha-analyst") -> str:
        return str(self.collections(caller)[title]["id"])

    def post(
        self, collection_id: str, objects: list[Any], caller: str = "alpha-analyst"
    ) -> Response:
        return self.world.client.post(
            f"{ROOT}/collections/{collection_id}/objects/",
            content=orjson.dumps({"objects": objects}),
            headers=self.headers(caller, **{"Content-Type": TAXII}),
        )

    def objects(self, collection_id: str, caller: str = "alpha-analyst", **params: Any) -> Response:
        return self.get(f"{ROOT}/collections/{collection_id}/objects/", caller, **params)


@pytest.fixture
def taxii(tmp_path: Path) -> Iterator[Taxii]:
    world = build_world(tmp_path)
    yield Taxii(world)
    world.services.close()
