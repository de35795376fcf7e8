"""`shieldwall intel pull|push`, driven as a user would, against a TAXII stub on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from shieldwall.access import accounts
from shieldwall.access.accounts import OPERATOR
from shieldwall.cli.main import app
from shieldwall.config.settings import load_settings
from shieldwall.model.identity import Organisation, OrgKind
from shieldwall.runtime.wiring import open_services
from shieldwall.share.intel.identity import identity_id
from shieldwall.store.protocols import FeedState
from tests.unit.share.intel_world import MARK
from tests.unit.share.taxii_client.taxii_stub import (
    COLLECTION,
    RunningStub,
    StubState,
    indicator,
    serve,
)


@pytest.fixture
def stub() -> Iterator[RunningStub]:
    yield from serve(StubState())


def _remote(kind: str, stub: RunningStub, **extra: str) -> str:
    lines = "\n".join(f'{key} = "{value}"' for key, value in extra.items())
    return f"""
[[shieldwall.{kind}]]
name = "stub"
url = "{stub.url}"
api_root = "/api1/"
collection_id = "{COLLECTION}"
allow_private_addresses = true
allow_plain_http = true
requests_per_second = 100
{lines}
"""


def _config(tmp_path: Path, stub: RunningStub, *remotes: str) -> str:
    data = tmp_path / "data"
    config = tmp_path / "shieldwall.toml"
    config.write_text(f'[shieldwall]\ndata_dir = "{data}"\n' + "".join(remotes))
    services = open_services(load_settings({}, config))
    with services.store.transaction() as tx:
        missing = [org for org in ("alpha", "bravo") if tx.organisations.get(org) is None]
    for org in missing:
        accounts.add_organisation(
            services.store, OPERATOR, Organisation(org, org, OrgKind.NATION, "FR")
        )
    services.close()
    return str(config)


def _feed(stub: RunningStub, **extra: str) -> str:
    return _remote("taxii_feeds", stub, organisation="alpha", **extra) + "page_size = 2\n"


def _held(config: str, org: str) -> dict[str, Any]:
    services = open_services(load_settings({}, Path(config)))
    with services.store.transaction() as tx:
        rows = tx.intel.versions_of(
            [f"indicator--00000000-0000-4000-8000-{n:012d}" for n in range(9)]
        )
    services.close()
    return {i: v for i, vs in rows.items() for v in vs if v.audience.producer_org_id == org}


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


def test_pull_stores_into_the_intel_store_and_a_second_pull_adds_nothing(
    tmp_path: Path, stub: RunningStub
) -> None:
    vendor = {**indicator(4), "created_by_ref": "identity--7d3a4b7e-0000-4000-8000-00000000abcd"}
    stub.state.add(*(indicator(n) for n in range(4)), vendor)
    config = _config(tmp_path, stub, _feed(stub, unmarked_tlp="green"))
    code, output = _run("intel", "pull", "--config", config)
    assert code == 0, output
    assert "stub: 3 pages, 5 received, 5 new" in output
    held = _held(config, "alpha")
    assert len(held) == 5
    assert all(v.audience.marking_refs == (MARK["green"],) for v in held.values())
    assert "created_by_ref" not in held[indicator(0)["id"]].body  # the object is unchanged
    assert vendor["created_by_ref"] in held[vendor["id"]].body  # provenance kept

    stub.state.objects[:] = [(stub.state.objects[0][0], o) for _, o in stub.state.objects]
    code, output = _run("intel", "pull", "--feed", "stub", "--config", config)
    assert code == 0, output
    assert "0 new" in output
    assert len(_held(config, "alpha")) == 5


def test_a_page_fetched_twice_stores_nothing_twice(tmp_path: Path, stub: RunningStub) -> None:
    stub.state.add(*(indicator(n) for n in range(3)))
    config = _config(tmp_path, stub, _feed(stub))
    _run("intel", "pull", "--config", config)
    services = open_services(load_settings({}, Path(config)))
    with services.store.transaction() as tx:
        tx.feeds.save(FeedState(name="stub"))  # forget the resume point
    services.close()
    code, output = _run("intel", "pull", "--config", config)
    assert code == 0 and "3 received, 0 new, 3 unchanged" in output


def test_an_object_claiming_another_member_is_refused_and_named(
    tmp_path: Path, stub: RunningStub
) -> None:
    forged = {**indicator(1), "created_by_ref": identity_id("bravo")}
    stub.state.add(indicator(0), forged)
    config = _config(tmp_path, stub, _feed(stub))
    code, output = _run("intel", "pull", "--config", config)
    assert code == 0
    assert "1 rejected" in output and forged["id"] in output
    assert "identity of another member organisation" in output


def test_a_feed_without_a_receiving_member_is_a_configuration_error(
    tmp_path: Path, stub: RunningStub
) -> None:
    config = _config(tmp_path, stub, _remote("taxii_feeds", stub))
    code, output = _run("intel", "pull", "--config", config)
    assert code == 1
    assert "taxii_feeds[0].organisation" in output


def test_a_failing_feed_exits_1_and_names_the_problem(tmp_path: Path, stub: RunningStub) -> None:
    stub.state.redirect_to = "http://localhost:9/elsewhere"
    code, output = _run("intel", "pull", "--config", _config(tmp_path, stub, _feed(stub)))
    assert code == 1
    assert "refused to follow http://localhost:9" in output


def test_an_unknown_feed_is_an_error(tmp_path: Path, stub: RunningStub) -> None:
    config = _config(tmp_path, stub, _feed(stub))
    code, output = _run("intel", "pull", "--feed", "nope", "--config", config)
    assert code == 1
    assert "'nope' is not configured" in output


def _partner(stub: RunningStub, **extra: str) -> str:
    return _remote("taxii_partners", stub, organisation="bravo", max_tlp="amber", **extra) + (
        "status_poll_seconds = 0.01\n"
    )


def _bundle_for(tmp_path: Path, config: str, objects: list[dict[str, Any]]) -> None:
    import orjson

    path = tmp_path / "in.json"
    path.write_bytes(orjson.dumps({"type": "bundle", "id": "bundle--1", "objects": objects}))
    code, output = _run("intel", "import", str(path), "--as", "alpha", "--config", config)
    assert code == 0, output


def _marked(number: int, tlp: str, **extra: Any) -> dict[str, Any]:
    return {
        **indicator(number),
        "created_by_ref": identity_id("alpha"),
        "object_marking_refs": [MARK[tlp]],
        **extra,
    }


def test_push_sends_what_the_partner_member_may_receive_and_reports_each_object(
    tmp_path: Path, stub: RunningStub
) -> None:
    green, bad = _marked(1, "green"), _marked(2, "green", name="bad one")
    strict, red = _marked(3, "strict"), _marked(4, "red")
    config = _config(tmp_path, stub, _partner(stub))
    _bundle_for(tmp_path, config, [green, bad, strict, red])
    code, output = _run("intel", "push", "--partner", "stub", "--config", config)
    sent = [o["id"] for envelope in stub.state.posted for o in envelope["objects"]]
    assert sorted(sent) == sorted([green["id"], bad["id"]])  # STRICT/RED: not bravo's to see
    assert f"accepted {green['id']}" in output
    assert f"refused by partner {bad['id']}: refused by partner" in output
    assert "sent 2, accepted 1, refused 1" in output
    assert code == 1  # not every object was accepted


def test_push_since_sends_only_what_was_added_later(tmp_path: Path, stub: RunningStub) -> None:
    config = _config(tmp_path, stub, _partner(stub))
    _bundle_for(tmp_path, config, [_marked(1, "green")])
    code, output = _run(
        "intel", "push", "--partner", "stub", "--since", "2999-01-01T00:00:00Z", "--config", config
    )
    assert code == 0 and "sent 0" in output and not stub.state.posted
    code, output = _run("intel", "push", "--partner", "nope", "--config", config)
    assert code == 1 and "'nope' is not configured" in output
