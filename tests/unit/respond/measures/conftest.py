"""A coalition in a real store (the share tests' one, plus the centre) and a measure desk
wired to its intelligence store exactly as the service wires it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from shieldwall.model.identity import Organisation, OrgKind, Principal, Role
from shieldwall.respond import MeasureDesk
from shieldwall.runtime.measures import measure_desk
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.store import SqlStore
from tests.unit.respond.measures.hostile import T0
from tests.unit.share.intel_world import open_store

CENTRE_LEAD = Principal("lead-centre", "centre", Role.LEAD, OrgKind.CENTRE)
ALPHA_LEAD = Principal("lead-alpha", "alpha", Role.LEAD, OrgKind.NATION)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(tmp_path)
    with opened.transaction() as tx:
        tx.organisations.add(Organisation("centre", "Centre", OrgKind.CENTRE, "BE"))
    yield opened
    opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(store: SqlStore, clock: Clock) -> MeasureDesk:
    wired = measure_desk(store, Signer.generate())
    return MeasureDesk(wired.store, wired.signer, wired.indicators, clock, wired.indicator_stamp)
