"""An approval carries what its approvers need to decide, copied when it is asked: a named
member's lead, who may not read the centre's playbook, sees its name, the step and what
will follow; a member not named sees nothing of it, exactly as if it were absent."""

from __future__ import annotations

import pytest

from shieldwall.model.errors import NotFoundError
from shieldwall.model.playbook import RunRecord
from shieldwall.respond import PlaybookDesk, Runner, approval_json
from shieldwall.runtime.respond_sources import PendingApprovals
from tests.unit.respond.playbooks.builders import coalition_block
from tests.unit.respond.playbooks.conftest import Clock, OpenStore, analyst, lead
from tests.unit.respond.playbooks.recording import Recording

NAME = "coalition-wide block"


def _waiting(open_store: OpenStore, clock: Clock) -> tuple[PlaybookDesk, RunRecord]:
    desk = PlaybookDesk(Runner(open_store(), Recording(), clock=clock))
    book = coalition_block(["alpha", "bravo"], 2)
    book.doc["description"] = "Block the C2 address at every member"
    approve = next(k for k, s in book.doc["workflow"].items() if "approval" in str(s))
    book.doc["workflow"][approve]["name"] = "Members agree to block"
    desk.import_playbook(lead("hq"), book.json())
    run = desk.run(analyst("hq"), book.doc["id"])
    assert isinstance(run, RunRecord)
    return desk, run


def test_a_named_members_lead_sees_what_the_approval_asks(
    open_store: OpenStore, clock: Clock
) -> None:
    desk, run = _waiting(open_store, clock)
    assert desk.playbooks(lead("alpha")) == []  # the centre's playbook stays hidden
    (approval,) = desk.pending(lead("alpha"))
    asked = approval_json(approval)["context"]
    assert asked["playbook"] == {
        "name": NAME,
        "description": "Block the C2 address at every member",
    }
    assert asked["step"]["name"] == "Members agree to block"
    assert "then action: measure.issue kind=block, value=203.0.113.7" in asked["will_do"]
    assert asked["trigger"].startswith("by hand, in hq")
    (item,) = PendingApprovals(desk).handover_items(lead("alpha"), None)
    assert item.title.startswith(f"{NAME} (run {run.id}) at Members agree to block")


def test_what_an_approval_says_is_copied_not_read_from_the_playbook(
    open_store: OpenStore, clock: Clock
) -> None:
    desk, run = _waiting(open_store, clock)
    with desk.runner.store.transaction() as tx:  # the playbook changes after the asking
        record = tx.playbooks.get("hq", run.playbook_id)
        assert record is not None
        tx.playbooks.save(
            type(record)(record.id, "renamed", "hq", {**record.document, "name": "renamed"}, ())
        )
    (approval,) = desk.pending(lead("bravo"))
    assert approval.context["playbook"]["name"] == NAME


def test_a_member_not_named_sees_nothing_as_if_absent(open_store: OpenStore, clock: Clock) -> None:
    desk, run = _waiting(open_store, clock)
    assert desk.pending(lead("charlie")) == []
    assert PendingApprovals(desk).handover_items(lead("charlie"), None) == []
    with pytest.raises(NotFoundError) as hidden:
        desk.journal(lead("charlie"), run.id)
    with pytest.raises(NotFoundError) as absent:
        desk.journal(lead("charlie"), run.id + 1000)
    assert str(hidden.value).replace(str(run.id), "N") == str(absent.value).replace(
        str(run.id + 1000), "N"
    )
