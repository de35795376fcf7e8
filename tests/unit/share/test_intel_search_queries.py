"""Serving a page of indicators with their sightings costs a fixed number of SQL statements.

Scores and sighting aggregates are looked up for a whole page at once; a per-indicator
lookup would make the statement count grow with the page. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from shieldwall.model.intel import IntelQuery
from shieldwall.share.intel.identity import identity_id
from shieldwall.share.intel.search import SearchRequest
from shieldwall.share.intel.session import intel_session
from shieldwall.store.sql.store import SqlStore
from tests.unit.share.intel_world import MARK, Session, indicator, open_store, principal

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def sighting(org: str, target: str, *, green: bool, count: int) -> dict[str, Any]:
    """A sighting of ``target`` by ``org``; unmarked, it is STRICT to the target's producer."""
    obj: dict[str, Any] = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": f"sighting--{target.removeprefix('indicator--')}",
        "created": "2024-02-01T00:00:00.000Z",
        "modified": "2024-02-01T00:00:00.000Z",
        "created_by_ref": identity_id(org),
        "sighting_of_ref": target,
        "count": count,
    }
    if green:
        obj["object_marking_refs"] = [MARK["green"]]
    return obj


def seed(store: SqlStore, numbers: range) -> dict[str, int]:
    """Green alpha indicators, each sighted once: the even ones by alpha (green), the odd
    ones by bravo (unmarked, so STRICT to alpha): indicator id -> its number."""
    ids = {indicator("alpha")["id"]: k for k in numbers}
    Session(store, "p-alpha").publish(
        [indicator("alpha", ident=i, value=f"10.0.{k // 250}.{k % 250}") for i, k in ids.items()]
    )
    for submitter, green in (("alpha", True), ("bravo", False)):
        mine = [i for i, k in ids.items() if (k % 2 == 0) == green]
        sightings = [sighting(submitter, i, green=green, count=ids[i] + 1) for i in mine]
        Session(store, f"p-{submitter}").publish(sightings)
    return ids


@contextmanager
def counting(store: SqlStore) -> Iterator[list[str]]:
    """The SQL statements the store's engine issues inside the block."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def served_page(
    store: SqlStore, person: str, *, anonymised: bool = True
) -> tuple[dict[str, dict[str, Any]], int]:
    """One search page of indicators as ``person`` (id -> sightings) and its statement count."""
    who = principal(person)
    with (
        counting(store) as seen,
        intel_session(store, who, now=NOW, anonymised_counts=anonymised) as session,
    ):
        page = session.searcher.search(SearchRequest(IntelQuery(types=("indicator",)), limit=1000))
    return {f.stix_id: f.obj["x_shieldwall_sightings"] for f in page.items}, len(seen)


def test_statement_count_does_not_grow_with_the_page(database_url: str, tmp_path: Path) -> None:
    store = open_store(tmp_path, database_url)
    try:
        ids: dict[str, int] = {}
        counts: list[tuple[int, int]] = []
        for numbers in (range(0, 5), range(5, 50)):
            ids.update(seed(store, numbers))
            producer, count = served_page(store, "p-alpha")
            assert {i: (s["sightings"], s["count"]) for i, s in producer.items()} == {
                i: (1, k + 1) for i, k in ids.items()
            }
            member, _ = served_page(store, "p-bravo")
            assert {i: s["sightings"] for i, s in member.items()} == dict.fromkeys(ids, 1)
            client, client_count = served_page(store, "p-charlie", anonymised=False)
            assert {i: s["sightings"] for i, s in client.items()} == {
                i: int(k % 2 == 0) for i, k in ids.items()
            }
            counts.append((count, client_count))
    finally:
        store.close()
    assert counts[0] == counts[1], counts


def test_sightings_of_many_ids_are_found_across_chunks(database_url: str, tmp_path: Path) -> None:
    store = open_store(tmp_path, database_url)
    try:
        ids = seed(store, range(50))
        low = [f"indicator--0-{n}" for n in range(480)]  # sorts before every real id
        high = [f"indicator--~-{n}" for n in range(480)]  # and these after
        with store.transaction() as tx:
            found = tx.intel.with_terms("sighting-of", [*low, *ids, *high], "sighting")
            one = tx.intel.with_term("sighting-of", next(iter(ids)), "sighting")
    finally:
        store.close()
    assert sorted(found) == sorted(ids)
    assert all(len(rows) == 1 and rows[0].stix_type == "sighting" for rows in found.values())
    assert list(one) == list(found[next(iter(ids))])
