"""Text comes back exactly as written, on both databases, within the columns' limits.

Names, descriptions, audit details and JSON-held values are given any Unicode (NUL
excepted, see below), quotes, backslashes and LIKE wildcards, up to each column's length.
"""

from __future__ import annotations

from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.model.audit import AuditRecord
from shieldwall.model.errors import ShieldwallError
from shieldwall.model.intel import CollectionRecord, StatusRecord
from shieldwall.model.sharing import Community
from shieldwall.store.sql.store import SqlStore
from tests.contract.store.values import T0, org

CHARACTERS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
TEXT = st.text(CHARACTERS, max_size=200)
NUMBERS = count(1)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(short=TEXT, long=st.text(CHARACTERS, max_size=5000), member=TEXT)
def test_any_text_within_the_limits_comes_back_exactly(
    store: SqlStore, short: str, long: str, member: str
) -> None:
    number = next(NUMBERS)
    kept_community = Community(f"c{number}", short, members=frozenset({member}))
    kept_collection = CollectionRecord(f"col-{number}", "member", f"m{number}", short, long, 1)
    kept_status = StatusRecord(f"s{number}", "o", "p", T0, 1, ({"message": long},), ())
    with store.transaction() as tx:
        tx.communities.add(kept_community)
        tx.collections.add(kept_collection)
        tx.statuses.add(kept_status)
        entry = tx.audit.append(AuditRecord(short, "org", "act", "type", short, detail=long))
    with store.transaction() as tx:
        assert tx.communities.get(kept_community.id) == kept_community
        assert tx.collections.get(kept_collection.id) == kept_collection
        assert tx.statuses.get(kept_status.id) == kept_status
        assert list(tx.audit.entries(after_seq=entry.seq - 1)) == [entry]


@pytest.mark.parametrize("name", ["with a NUL \x00 inside", "n" * 201], ids=["nul", "too-long"])
def test_text_the_schema_cannot_hold_is_refused_alike(store: SqlStore, name: str) -> None:
    try:
        with store.transaction() as tx:
            tx.organisations.add(org(name=name))
    except ShieldwallError:
        refused = True
    else:
        refused = False
    with store.transaction() as tx:
        assert (refused, tx.organisations.list()) == (True, [])
