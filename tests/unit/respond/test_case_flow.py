"""The status flow of cases, against the flow docs/cases.md draws, on the real store.

Random walks of requested statuses, with and without a reason, go through the case desk:
each move is accepted exactly when the documented flow allows it (one step forwards,
close from any open status with a reason, contained back to in progress, reopen a closed
case), a refused move changes nothing and leaves no timeline entry, and the timeline
holds one ``status`` entry per accepted move, in order.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.model.case import CaseStatus
from shieldwall.model.errors import ConflictError, InputError
from shieldwall.model.identity import Organisation, OrgKind
from shieldwall.respond import CaseDesk
from tests.unit.respond.cases_world import fresh_store, incident, lead_of, principal, seed

S = CaseStatus
ORDER = [S.NEW, S.TRIAGED, S.IN_PROGRESS, S.CONTAINED, S.CLOSED]
ALPHA = Organisation("alpha", "Alpha", OrgKind.NATION, "FR")
WHO = principal(lead_of(ALPHA), ALPHA.kind)


def documented(current: CaseStatus, to: CaseStatus, reason: str) -> str:
    """``ok``, ``conflict`` or ``input``: the flow as docs/cases.md states it."""
    step = ORDER.index(to) - ORDER.index(current)
    allowed = (
        step == 1
        or (to is S.CLOSED and current is not S.CLOSED)
        or (current, to) in {(S.CONTAINED, S.IN_PROGRESS), (S.CLOSED, S.IN_PROGRESS)}
    )
    if not allowed:
        return "conflict"
    return "input" if to is S.CLOSED and not reason.strip() else "ok"


_STORE: list[CaseDesk] = []
_KEYS = itertools.count()


def desk() -> CaseDesk:
    if not _STORE:
        store = fresh_store(Path(tempfile.mkdtemp(prefix="case-flow-")))
        seed(store, [ALPHA], [lead_of(ALPHA)])
        _STORE.append(CaseDesk(store))
    return _STORE[0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(list(S)), st.sampled_from(["", "  ", "fixed"])), max_size=12
    ),
)
def test_the_desk_follows_the_documented_flow(moves: list[tuple[CaseStatus, str]]) -> None:
    cases = desk()
    number = cases.open(WHO, incident(cases.store, "alpha", str(next(_KEYS)))).case.id
    current, accepted = S.NEW, []
    for to, reason in moves:
        expected = documented(current, to, reason)
        try:
            view = cases.set_status(WHO, number, to, reason)
            got = "ok"
        except ConflictError:
            got = "conflict"
        except InputError:
            got = "input"
        assert got == expected, (current, to, reason)
        if got == "ok":
            accepted.append((current.value, to.value))
            current = to
            assert view.case.status is to
            assert view.case.close_reason == (reason.strip() if to is S.CLOSED else None)
    final = cases.get(WHO, number)
    assert final.case.status is current
    entries = [(e.detail["from"], e.detail["to"]) for e in final.timeline if e.action == "status"]
    assert entries == accepted


def teardown_module() -> None:
    for cases in _STORE:
        cases.store.close()
    _STORE.clear()
