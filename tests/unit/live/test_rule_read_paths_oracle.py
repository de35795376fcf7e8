"""Who may see and change which rules, against an oracle written from the policy's words,
over random principals and requests: a member sees the centre's set and its own, the
centre every set; another member's rule answers exactly like an absent one; only the
owning organisation's analysts and leads (and the centre's admins) change a set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldwall.live import RuleDesk
from shieldwall.model.errors import NotFoundError, PermissionDeniedError, ShieldwallError
from shieldwall.model.identity import OrgKind, Principal, Role
from shieldwall.model.rules import CENTRE_SET, NewRuleVersion, RuleChange
from shieldwall.store import migrate
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore
from tests.unit.live.test_rules_api import RULE

MEMBERS = ("alpha", "bravo", "charlie")
OWNERS = (CENTRE_SET, *MEMBERS)
RULES = {owner: [f"{owner.strip('*') or 'c'}-rule-{n}" for n in range(2)] for owner in OWNERS}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuleDesk]:
    path: Path = tmp_path_factory.mktemp("rules-oracle") / "store.db"
    engine = create_sql_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    store = SqlStore(engine, Signer.generate())
    with store.transaction() as tx:
        for owner, rule_ids in RULES.items():
            for rule_id in rule_ids:
                tx.rules.add(
                    NewRuleVersion(
                        owner=owner,
                        rule_id=rule_id,
                        title=rule_id,
                        text=RULE,
                        enabled=True,
                        change=RuleChange.ADDED,
                        author="seed",
                    )
                )
    yield RuleDesk(store)
    store.close()


PRINCIPALS = st.builds(
    lambda org, role: Principal(
        person_id=f"{org}-{role.value}",
        org_id=org,
        role=role,
        org_kind=OrgKind.CENTRE if org == "centre" else OrgKind.NATION,
    ),
    st.sampled_from(["centre", *MEMBERS]),
    st.sampled_from(list(Role)),
)
SETS = st.sampled_from([None, "centre", *MEMBERS])


def may_read(who: Principal, owner: str) -> bool:
    if who.role is Role.SENSOR:
        return False
    return who.org_kind is OrgKind.CENTRE or owner in (CENTRE_SET, who.org_id)


def may_change(who: Principal, owner: str) -> bool:
    if not may_read(who, owner) or who.role not in (Role.ADMIN, Role.LEAD, Role.ANALYST):
        return False
    own = CENTRE_SET if who.org_kind is OrgKind.CENTRE else who.org_id
    return owner == own or (who.role is Role.ADMIN and who.org_kind is OrgKind.CENTRE)


def owner_named(who: Principal, rule_set: str | None) -> str:
    if rule_set is None:
        return CENTRE_SET if who.org_kind is OrgKind.CENTRE else who.org_id
    return CENTRE_SET if rule_set == "centre" else rule_set


def outcome(call: object) -> str:
    try:
        call()  # type: ignore[operator]
    except NotFoundError as exc:
        return f"404 {exc}"
    except PermissionDeniedError:
        return "403"
    except ShieldwallError as exc:
        return f"other {exc}"
    return "ok"


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(PRINCIPALS, SETS)
def test_listing_shows_exactly_what_the_oracle_allows(
    desk: RuleDesk, who: Principal, rule_set: str | None
) -> None:
    if who.role is Role.SENSOR:
        assert outcome(lambda: desk.current(who, rule_set=rule_set)) == "403"
        return
    owner = owner_named(who, rule_set)
    owners = [o for o in OWNERS if may_read(who, o)] if rule_set is None else [owner]
    expected = {(o, r) for o in owners if may_read(who, o) for r in RULES.get(o, [])}
    listed = {(v.owner, v.rule_id) for v in desk.current(who, rule_set=rule_set)}
    assert listed == expected


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(PRINCIPALS, SETS, st.sampled_from([*RULES["alpha"], *RULES[CENTRE_SET], "absent-1"]))
def test_a_hidden_rule_answers_like_an_absent_one(
    desk: RuleDesk, who: Principal, rule_set: str | None, rule_id: str
) -> None:
    owner = owner_named(who, rule_set)
    shown = outcome(lambda: desk.history(who, rule_id, rule_set=rule_set))
    if who.role is Role.SENSOR:
        assert shown == "403"
    elif may_read(who, owner) and rule_id in RULES.get(owner, []):
        assert shown == "ok"
    else:
        assert shown == outcome(lambda: desk.history(who, "absent-1", rule_set=rule_set))
        assert shown == "404 not found"
    changed = outcome(lambda: desk.set_enabled(who, rule_id, True, rule_set=rule_set))
    if may_change(who, owner):
        assert changed in ("ok", "404 not found")
    elif who.role is Role.SENSOR or may_read(who, owner):
        assert changed == "403"
    else:
        assert changed == "404 not found"
