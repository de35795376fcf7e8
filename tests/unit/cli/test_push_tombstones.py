"""`shieldwall intel push --partner` also sends tombstones of what the partner lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import stix2

from tests.unit.cli.test_feeds_cli import _bundle_for, _config, _marked, _partner, _run
from tests.unit.share.taxii_client.taxii_stub import RunningStub, StubState, serve


@pytest.fixture
def stub() -> Iterator[RunningStub]:
    yield from serve(StubState())


def test_push_sends_a_tombstone_for_an_object_narrowed_out_of_the_partners_view(
    tmp_path: Path, stub: RunningStub
) -> None:
    config = _config(tmp_path, stub, _partner(stub))
    green, never = _marked(1, "green"), _marked(2, "strict")
    _bundle_for(tmp_path, config, [green, never])
    narrowed = {
        **green,
        "modified": "2024-06-01T00:00:00.000Z",
        "object_marking_refs": [_marked(3, "strict")["object_marking_refs"][0]],
        "description": "secret new description",
    }
    never_red = {
        **never,
        "modified": "2024-06-01T00:00:00.000Z",
        "object_marking_refs": [_marked(4, "red")["object_marking_refs"][0]],
    }
    _bundle_for(tmp_path, config, [narrowed, never_red])
    code, output = _run("intel", "push", "--partner", "stub", "--config", config)
    sent = [o for envelope in stub.state.posted for o in envelope["objects"]]
    assert [o["id"] for o in sent] == [green["id"]], output  # nothing about the STRICT one
    [tombstone] = sent
    assert tombstone["revoked"] is True and "secret" not in str(tombstone)
    assert "object_marking_refs" not in tombstone
    assert tombstone["modified"] > narrowed["modified"]
    assert stix2.parse(tombstone, allow_custom=False).revoked is True
    assert code == 0 and "sent 1, accepted 1" in output
