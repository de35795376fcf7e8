"""A case follows its incident's severity upward (alerts joining, a merge), never down."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shieldwall.model.alert import NewAlert
from shieldwall.model.identity import Organisation, OrgKind
from shieldwall.respond import CaseDesk
from shieldwall.store.sql.store import SqlStore
from tests.unit.respond.cases_world import fresh_store, incident, lead_of, principal, seed

ALPHA = Organisation("alpha", "Alpha", OrgKind.NATION, "FR")
WHO = principal(lead_of(ALPHA), ALPHA.kind)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> SqlStore:
    opened = fresh_store(tmp_path)
    seed(opened, [ALPHA], [lead_of(ALPHA)])
    return opened


def _hit(store: SqlStore, incident_id: int, number: int, severity: str) -> None:
    """An alert of this severity joins the incident, as the fuse stage would attach it."""
    alert = NewAlert(
        key=f"alpha:{number}:r", org_id="alpha", rule_id="r", rule_title="Rule", level=severity,
        tags=(), event_time=NOW, source="test", matched={}, event={}, techniques=(),
    )  # fmt: skip
    with store.transaction() as tx:
        tx.alerts.add([alert])
        seq = tx.alerts.page(None, after=0, limit=1000)[-1].seq
        tx.incidents.attach(incident_id, seq, "alpha", (), NOW, severity)


def test_a_case_rises_with_its_incident_and_is_never_lowered(store: SqlStore) -> None:
    cases = CaseDesk(store)
    raised = incident(store, "alpha", "a1", "low")
    other = incident(store, "alpha", "a2", "low")
    case = cases.open(WHO, raised).case
    untouched = cases.open(WHO, other).case
    assert case.severity == "low"
    _hit(store, raised, 1, "high")
    assert cases.get(WHO, case.id).case.severity == "high"
    _hit(store, raised, 2, "medium")  # the incident stays high, so does the case
    assert cases.get(WHO, case.id).case.severity == "high"
    assert cases.get(WHO, untouched.id).case.severity == "low"


def test_a_merge_raises_the_case_of_the_incident_kept(store: SqlStore) -> None:
    cases = CaseDesk(store)
    kept = incident(store, "alpha", "k", "medium")
    moved = incident(store, "alpha", "m", "critical")
    case = cases.open(WHO, kept).case
    with store.transaction() as tx:
        tx.incidents.merge(moved, kept)
    assert cases.get(WHO, case.id).case.severity == "critical"
