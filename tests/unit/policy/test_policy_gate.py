"""The gate, row by row of docs/conformance/tlp.md (rules a–e).

Each case names the row (or rule) it checks and lists exactly who may see the object in
the fixed coalition of ``policy_world``; the test compares that with what the gate says
for every person, so a too-wide and a too-narrow answer both fail.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from shieldwall.model.identity import OrgStatus, Principal, Role
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy import ObjectDescriptor, Reason, SnapshotDirectory, Viewer, decide
from shieldwall.policy.markings import (
    TLP1_AMBER,
    TLP1_GREEN,
    TLP1_RED,
    TLP1_WHITE,
    TLP_AMBER,
    TLP_AMBER_STRICT,
    TLP_CLEAR,
    TLP_GREEN,
    TLP_RED,
)
from tests.unit.policy.policy_world import ALL_PEOPLE, ORGS, PEOPLE, directory, obj, principal

EVERY_ACTIVE = {
    "p-centre",
    "p-centre-admin",
    "p-nl-cert",
    "p-nl-cert-2",
    "p-nl-energy",
    "p-de-cert",
    "p-de-bank",
    "p-fr-mil",
}
NL_CERT = {"p-nl-cert", "p-nl-cert-2"}
STATEMENT = "marking-definition--1b4b2c53-3d1e-4b7a-9a1c-8f3f2f3e1d11"


def seen_by(descriptor: ObjectDescriptor, defaults: dict[str, TlpLevel] | None = None) -> set[str]:
    snapshot = directory(defaults)
    return {
        person for person in ALL_PEOPLE if decide(principal(person), descriptor, snapshot).allowed
    }


CASES = [
    ("TLP:CLEAR anyone", obj("nl-cert", TLP_CLEAR.id), EVERY_ACTIVE),
    ("TLP:CLEAR via TLP 1.0 WHITE", obj("nl-cert", TLP1_WHITE.id), EVERY_ACTIVE),
    ("TLP:GREEN default community is the federation", obj("de-bank", TLP_GREEN.id), EVERY_ACTIVE),
    ("TLP:GREEN via TLP 1.0 GREEN", obj("de-bank", TLP1_GREEN.id), EVERY_ACTIVE),
    (
        "TLP:GREEN orgs in the addressed community",
        obj("nl-cert", TLP_GREEN.id, community_ids=frozenset({"energy"})),
        NL_CERT | {"p-nl-energy", "p-fr-mil"},
    ),
    (
        "TLP:GREEN community with manual member and exclusion",
        obj("de-bank", TLP_GREEN.id, community_ids=frozenset({"nations"})),
        NL_CERT | {"p-de-bank", "p-fr-mil"},
    ),
    (
        "TLP:GREEN several communities: member of any",
        obj("de-bank", TLP_GREEN.id, community_ids=frozenset({"energy", "nl"})),
        NL_CERT | {"p-de-bank", "p-nl-energy", "p-fr-mil"},
    ),
    (
        "TLP:GREEN unknown community reaches nobody but the producer",
        obj("de-bank", TLP_GREEN.id, community_ids=frozenset({"no-such"})),
        {"p-de-bank"},
    ),
    (
        "TLP:AMBER recipient org and its clients (producer is a recipient)",
        obj("nl-cert", TLP_AMBER.id),
        NL_CERT | {"p-nl-energy"},
    ),
    (
        "TLP:AMBER explicit recipient orgs and their clients",
        obj("fr-mil", TLP_AMBER.id, recipient_org_ids=frozenset({"de-cert"})),
        {"p-fr-mil", "p-de-cert", "p-de-bank"},
    ),
    (
        "TLP:AMBER via TLP 1.0 AMBER",
        obj("fr-mil", TLP1_AMBER.id, recipient_org_ids=frozenset({"de-cert"})),
        {"p-fr-mil", "p-de-cert", "p-de-bank"},
    ),
    (
        "TLP:AMBER a client's parent is not reached",
        obj("de-bank", TLP_AMBER.id),
        {"p-de-bank"},
    ),
    (
        "TLP:AMBER+STRICT recipient org only, no clients",
        obj("fr-mil", TLP_AMBER_STRICT.id, recipient_org_ids=frozenset({"de-cert", "nl-cert"})),
        NL_CERT | {"p-fr-mil", "p-de-cert"},
    ),
    (
        "TLP:RED named individuals only (and the producer org)",
        obj("fr-mil", TLP_RED.id, recipient_person_ids=frozenset({"p-nl-cert-2", "p-de-gone"})),
        {"p-fr-mil", "p-nl-cert-2"},
    ),
    (
        "TLP:RED via TLP 1.0 RED",
        obj("fr-mil", TLP1_RED.id, recipient_person_ids=frozenset({"p-nl-cert-2"})),
        {"p-fr-mil", "p-nl-cert-2"},
    ),
    (
        "TLP:RED named person outside the recipient orgs is refused",
        obj(
            "fr-mil",
            TLP_RED.id,
            recipient_person_ids=frozenset({"p-de-bank", "p-de-cert"}),
            recipient_org_ids=frozenset({"de-cert"}),
        ),
        {"p-fr-mil", "p-de-cert"},
    ),
    ("Unmarked: AMBER+STRICT for the submitting org", obj("nl-cert"), NL_CERT),
    (
        "Unmarked: unpinned marking refs carry no TLP",
        obj("nl-cert", STATEMENT, recipient_org_ids=frozenset({"de-cert"})),
        NL_CERT | {"p-de-cert"},
    ),
    (
        "Several markings: most restrictive (GREEN + AMBER)",
        obj("nl-cert", TLP_GREEN.id, TLP_AMBER.id),
        NL_CERT | {"p-nl-energy"},
    ),
    (
        "Several markings: TLP 1.0 WHITE with TLP 2.0 RED",
        obj("nl-cert", TLP1_WHITE.id, TLP_RED.id, recipient_person_ids=frozenset({"p-fr-mil"})),
        NL_CERT | {"p-fr-mil"},
    ),
    (
        "Several markings: TLP 1.0 AMBER with AMBER+STRICT",
        obj("nl-cert", TLP1_AMBER.id, TLP_AMBER_STRICT.id),
        NL_CERT,
    ),
    (
        "Intersection: GREEN addressed to explicit recipient orgs",
        obj("nl-cert", TLP_GREEN.id, recipient_org_ids=frozenset({"fr-mil"})),
        NL_CERT | {"p-fr-mil"},
    ),
    (
        "Intersection: AMBER recipients within a community",
        obj(
            "fr-mil",
            TLP_AMBER.id,
            recipient_org_ids=frozenset({"nl-cert", "de-cert"}),
            community_ids=frozenset({"nl"}),
        ),
        NL_CERT | {"p-fr-mil", "p-nl-energy"},
    ),
    (
        "REL TO enforced: GREEN releasable to NL",
        obj("de-cert", TLP_GREEN.id, releasable_to=frozenset({"NL"})),
        NL_CERT | {"p-de-cert", "p-nl-energy"},
    ),
    (
        "REL TO enforced on AMBER clients",
        obj("nl-cert", TLP_AMBER.id, releasable_to=frozenset({"BE"})),
        NL_CERT,
    ),
    (
        "REL TO empty: nobody but the producer",
        obj("nl-cert", TLP_CLEAR.id, releasable_to=frozenset()),
        NL_CERT,
    ),
    (
        "Suspended organisation sees nothing, not even its own objects",
        obj("nl-water", TLP_GREEN.id),
        EVERY_ACTIVE,
    ),
]


@pytest.mark.parametrize(("item", "descriptor", "expected"), CASES, ids=[c[0] for c in CASES])
def test_audience_matches_tlp_policy_row(
    item: str, descriptor: ObjectDescriptor, expected: set[str]
) -> None:
    assert seen_by(descriptor) == expected, item


def test_unmarked_takes_the_producers_configured_default() -> None:
    descriptor = obj("nl-cert")
    assert seen_by(descriptor, {"nl-cert": TlpLevel.AMBER}) == NL_CERT | {"p-nl-energy"}
    assert seen_by(descriptor, {"de-cert": TlpLevel.GREEN}) == NL_CERT


def test_clear_is_the_only_level_an_anonymous_caller_receives() -> None:
    snapshot = directory()
    allowed = {
        marking.level.label: decide(None, obj("nl-cert", marking.id), snapshot).allowed
        for marking in (TLP_CLEAR, TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT, TLP_RED)
    }
    assert allowed == {
        "TLP:CLEAR": True,
        "TLP:GREEN": False,
        "TLP:AMBER": False,
        "TLP:AMBER+STRICT": False,
        "TLP:RED": False,
    }
    assert decide(None, obj("nl-cert"), snapshot).reason is Reason.ANONYMOUS


def test_anonymous_is_refused_clear_with_a_distribution_limit() -> None:
    snapshot = directory()
    limited = [
        obj("nl-cert", TLP_CLEAR.id, community_ids=frozenset({"nl"})),
        obj("nl-cert", TLP_CLEAR.id, recipient_org_ids=frozenset({"de-cert"})),
        obj("nl-cert", TLP_CLEAR.id, releasable_to=frozenset({"NL"})),
    ]
    assert [decide(None, d, snapshot).allowed for d in limited] == [False, False, False]


def test_centre_admin_has_no_read_right_beyond_tlp() -> None:
    admin = principal("p-centre-admin")
    assert admin.is_centre_admin
    decision = decide(admin, obj("nl-cert", TLP_AMBER_STRICT.id), directory())
    assert (decision.allowed, decision.reason) == (False, Reason.NOT_RECIPIENT)


def test_producer_always_sees_its_own_object() -> None:
    red_for_others = obj("fr-mil", TLP_RED.id, releasable_to=frozenset({"DE"}))
    decision = decide(principal("p-fr-mil"), red_for_others, directory())
    assert (decision.allowed, decision.reason) == (True, Reason.PRODUCER)


@pytest.mark.parametrize(
    ("person_id", "org_id", "reason"),
    [
        ("p-de-bank", "nl-cert", Reason.UNKNOWN_PRINCIPAL),
        ("p-nobody", "nl-cert", Reason.UNKNOWN_PRINCIPAL),
        ("p-de-gone", "de-cert", Reason.INACTIVE_PERSON),
        ("p-nl-water", "nl-water", Reason.SUSPENDED),
    ],
)
def test_a_principal_that_does_not_resolve_sees_nothing(
    person_id: str, org_id: str, reason: Reason
) -> None:
    who = Principal(person_id, org_id, Role.ANALYST)
    decision = decide(who, obj(org_id, TLP_CLEAR.id), directory())
    assert (decision.allowed, decision.reason) == (False, reason)


def test_client_of_a_suspended_recipient_receives_nothing_through_it() -> None:
    orgs = [replace(o, status=OrgStatus.SUSPENDED) if o.id == "de-cert" else o for o in ORGS]
    snapshot = SnapshotDirectory(orgs, PEOPLE)
    shared = obj("fr-mil", TLP_AMBER.id, recipient_org_ids=frozenset({"de-cert"}))
    assert not decide(principal("p-de-bank"), shared, snapshot).allowed
    assert decide(principal("p-de-bank"), shared, directory()).allowed


def test_facts_come_from_the_directory_not_the_token() -> None:
    forged = replace(principal("p-de-bank"), country="NL", org_kind=principal("p-nl-cert").org_kind)
    releasable_nl = obj("nl-cert", TLP_GREEN.id, releasable_to=frozenset({"NL"}))
    assert not decide(forged, releasable_nl, directory()).allowed


def test_suspension_takes_effect_on_the_next_request() -> None:
    shared = obj("nl-cert", TLP_GREEN.id)
    before = Viewer.for_principal(principal("p-de-cert"), directory())
    orgs = [replace(o, status=OrgStatus.SUSPENDED) if o.id == "de-cert" else o for o in ORGS]
    after = Viewer.for_principal(principal("p-de-cert"), SnapshotDirectory(orgs, PEOPLE))
    assert before.decide(shared).allowed
    assert after.decide(shared).reason is Reason.SUSPENDED


def test_one_viewer_answers_many_objects_like_decide() -> None:
    snapshot = directory()
    for person in ALL_PEOPLE:
        viewer = Viewer.for_principal(principal(person), snapshot)
        for _, descriptor, _ in CASES:
            expected = decide(principal(person), descriptor, snapshot)
            assert viewer.decide(descriptor) == expected
            assert viewer.may_receive(descriptor) is expected.allowed


def test_a_decision_cannot_be_truth_tested_by_mistake() -> None:
    refused = decide(None, obj("nl-cert", TLP_RED.id), directory())
    assert refused.allowed is False
    with pytest.raises(TypeError, match=r"\.allowed"):
        bool(refused)
