"""access.permits answers as the permission table does, for every role and action."""

from __future__ import annotations

import pytest

from shieldwall.access import permits
from shieldwall.model.errors import NotFoundError, PermissionDeniedError
from shieldwall.model.identity import OrgKind, Principal, Role
from shieldwall.policy.roles import Action, authorise


def _who(role: Role, kind: OrgKind = OrgKind.NATION) -> Principal:
    return Principal("p", "centre" if kind is OrgKind.CENTRE else "alpha", role, kind)


@pytest.mark.parametrize("kind", [OrgKind.NATION, OrgKind.CENTRE])
@pytest.mark.parametrize("role", list(Role))
def test_permits_is_the_table(role: Role, kind: OrgKind) -> None:
    who = _who(role, kind)
    for action in Action:
        try:
            authorise(who, action, who.org_id)
            expected = True
        except (PermissionDeniedError, NotFoundError):
            expected = False
        assert permits(who, action.value) is expected, (role, kind, action)


def test_a_liaison_may_publish_intelligence_but_not_work_cases() -> None:
    liaison = _who(Role.LIAISON)
    assert permits(liaison, "intel.publish")
    assert not permits(liaison, "case.work")
    assert not permits(_who(Role.SENSOR), "intel.publish")


def test_an_unknown_action_is_an_error_not_a_no() -> None:
    with pytest.raises(ValueError, match="nonsense"):
        permits(_who(Role.LEAD), "nonsense")


def test_another_organisation_is_refused_to_a_member() -> None:
    assert not permits(_who(Role.LEAD), "case.work", "bravo")
    assert permits(_who(Role.ADMIN, OrgKind.CENTRE), "case.work", "bravo")
