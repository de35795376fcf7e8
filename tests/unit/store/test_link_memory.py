"""Link times answered from a batch's read (``preload``) answer as the database does.

After each write of a transaction (link times noted and thinned, incidents merged), what
``linked`` answers from memory is compared with a read of the database, the moved times
and dropped rows written first; at the end the rows left are those a transaction
without ``preload`` leaves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from shieldwall.model.identity import Organisation, OrgKind
from shieldwall.store.sql.incident_statements import NEAR
from shieldwall.store.sql.incidents import SqlIncidents
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.tables import incident_links

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=30)
LINKS = ("host:a", "user:x", "ip:1.2.3.4")


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def read(
    incidents: SqlIncidents, links: tuple[str, ...], start: datetime, end: datetime
) -> set[int]:
    """What the database answers, every pending write written."""
    incidents.write_links()
    params = {"org": "alpha", "links": sorted(links), "start": start, "end": end}
    return {row.incident_id for row in NEAR.all(incidents._db, params)}


def check(incidents: SqlIncidents) -> None:
    for links in (LINKS[:1], LINKS[1:2], LINKS):
        for centre in range(-40, 200, 7):
            start, end = minutes(centre) - WINDOW, minutes(centre) + WINDOW
            if incidents._links.covers("alpha", links, start, end):
                assert incidents.linked("alpha", links, start, end) == read(
                    incidents, links, start, end
                )
                incidents._near = None


def attach(incidents: object, target: int, seq: int, links: tuple[str, ...], at: datetime) -> None:
    """A hit counted on the incident (its alert taken as joined: no alert rows here)."""
    assert isinstance(incidents, SqlIncidents)
    incidents._alert_of[seq] = target
    incidents.attach(target, seq, "alpha", links, at, "low", WINDOW)


def scenario(store: SqlStore, *, preload: bool) -> list[tuple[int, str, datetime]]:
    with store.transaction() as tx:
        tx.organisations.add(Organisation("alpha", "Alpha", OrgKind.NATION, "FR"))
        first = tx.incidents.open("alpha", "first", "low", "k1")
        for n, minute in enumerate((0, 10, 20, 25, 70)):
            attach(tx.incidents, first, n + 1, LINKS[:1], minutes(minute))
        second = tx.incidents.open("alpha", "second", "low", "k2")
        for n, minute in enumerate((30, 35, 140)):
            attach(tx.incidents, second, n + 10, LINKS[1:], minutes(minute))
    with store.transaction() as tx:
        incidents = tx.incidents
        assert isinstance(incidents, SqlIncidents)
        if preload:
            incidents.preload("alpha", LINKS, minutes(-60), minutes(180))
            check(incidents)
        for n, (target, links, minute) in enumerate(
            [
                (first, LINKS[:1], 30),
                (first, LINKS[:1], 40),
                (second, LINKS[1:], 45),
                (first, LINKS[:1], 41),
            ]
        ):
            at = minutes(minute)
            incidents.linked("alpha", links, at - WINDOW, at + WINDOW)
            attach(incidents, target, 100 + n, links, at)
            if preload:
                check(incidents)
        incidents.merge(second, first)
        if preload:
            check(incidents)
        at = minutes(50)
        assert incidents.linked("alpha", LINKS, at - WINDOW, at + WINDOW) == {first}
        attach(incidents, first, 200, LINKS, at)
        if preload:
            check(incidents)
            far = minutes(400)
            assert not incidents._links.covers("alpha", LINKS, far - WINDOW, far + WINDOW)
            assert incidents.linked("alpha", LINKS, far - WINDOW, far + WINDOW) == set()
    with store.engine.connect() as db:
        rows = db.execute(select(incident_links).order_by("incident_id", "link", "at")).all()
        db.execute(incident_links.delete())
        db.commit()
    return [(row.incident_id, row.link, row.at) for row in rows]


def test_preloaded_link_times_answer_and_write_as_reads_do(store: SqlStore) -> None:
    with_memory = scenario(store, preload=True)
    assert with_memory  # and the same rows as without it:
    with store.transaction() as tx:
        tx.connection.exec_driver_sql("DELETE FROM incident_history")
        tx.connection.exec_driver_sql("DELETE FROM incidents")
        tx.connection.exec_driver_sql("DELETE FROM organisations WHERE id = 'alpha'")
    without = scenario(store, preload=False)
    shift = min(i for i, _, _ in without) - min(i for i, _, _ in with_memory)
    assert [(i + shift, link, at) for i, link, at in with_memory] == without
