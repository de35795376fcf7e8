"""Fixtures for the TAXII client: a stub server on 127.0.0.1, a fake sink, fake state."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from shieldwall.config.taxii import TaxiiFeed
from shieldwall.share.taxii_client.sink import SinkResult, version_key
from shieldwall.store.protocols import FeedState
from tests.unit.share.taxii_client.taxii_stub import COLLECTION, RunningStub, StubState, serve


@dataclass
class FakeSink:
    """Keeps object versions by (id, version), as the intelligence store does."""

    versions: dict[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)
    batches: int = 0

    def accept(self, source: str, objects: Sequence[Mapping[str, Any]]) -> SinkResult:
        self.batches += 1
        new = [obj for obj in objects if version_key(obj) not in self.versions]
        for obj in new:
            self.versions[version_key(obj)] = obj
        return SinkResult(stored=len(new), unchanged=len(objects) - len(new))


@dataclass
class FakeStates:
    """Feed state in a dict, with every save recorded."""

    states: dict[str, FeedState] = field(default_factory=dict)
    saves: list[tuple[FeedState, str, bool]] = field(default_factory=list)

    def load(self, name: str) -> FeedState:
        return self.states.get(name, FeedState(name=name))

    def save(self, state: FeedState, *, detail: str, ok: bool) -> None:
        self.states[state.name] = state
        self.saves.append((state, detail, ok))


@pytest.fixture
def stub() -> Iterator[RunningStub]:
    yield from serve(StubState())


@pytest.fixture
def sink() -> FakeSink:
    return FakeSink()


@pytest.fixture
def states() -> FakeStates:
    return FakeStates()


def feed_for(url: str, **overrides: Any) -> TaxiiFeed:
    """A feed on the stub, loopback allowed, fast pacing."""
    values: dict[str, Any] = {
        "name": "stub",
        "url": url,
        "api_root": "/api1/",
        "collection_id": COLLECTION,
        "allow_private_addresses": True,
        "allow_plain_http": True,
        "requests_per_second": 100,
        "page_size": 10,
    }
    return TaxiiFeed(**{**values, **overrides})
