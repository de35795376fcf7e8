"""Whether a person may take an action at all: the permission table, asked by the front ends.

The console shows a form only to those who may submit it, so it asks the same table
(:mod:`shieldwall.policy.roles`) that refuses the form's action; the front ends may not
import the policy layer, so they ask here. The answer is about the role (and the centre's
admins), not about one object: the action itself still checks the object's organisation.
"""

from __future__ import annotations

from shieldwall.model.errors import NotFoundError, PermissionDeniedError
from shieldwall.model.identity import Principal
from shieldwall.policy.roles import Action, authorise


def permits(who: Principal, action: str, org_id: str | None = None) -> bool:
    """True when the table lets ``who`` take ``action`` (an :class:`Action` value) in
    ``org_id`` (None: their own organisation); ValueError for an action that does not exist.
    """
    checked = Action(action)
    try:
        authorise(who, checked, who.org_id if org_id is None else org_id)
    except (PermissionDeniedError, NotFoundError):
        return False
    return True
