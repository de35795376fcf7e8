"""Derived objects, sightings and re-marking (tlp-policy.md rules a, b, c and e)."""

from __future__ import annotations

import pytest

from shieldwall.model.errors import InputError, PermissionDeniedError
from shieldwall.model.sharing import TlpLevel
from shieldwall.policy import (
    ObjectDescriptor,
    Reason,
    Viewer,
    check_derived_marking,
    content_refs,
    decide,
    decide_derived,
    describe_sighting,
    minimum_derived_level,
)
from shieldwall.policy.markings import TLP_AMBER, TLP_AMBER_STRICT, TLP_CLEAR, TLP_GREEN, TLP_RED
from shieldwall.policy.remarking import check_remarking
from tests.unit.policy.policy_world import ALL_PEOPLE, directory, obj, principal


def derived_seen_by(report: ObjectDescriptor, contents: list[ObjectDescriptor]) -> set[str]:
    snapshot = directory()
    return {
        person
        for person in ALL_PEOPLE
        if decide_derived(
            Viewer.for_principal(principal(person), snapshot), report, contents
        ).allowed
    }


def test_rule_e_a_report_never_widens_its_contents() -> None:
    report = obj("de-cert", TLP_GREEN.id)
    amber = obj("nl-cert", TLP_AMBER.id, recipient_org_ids=frozenset({"de-cert"}))
    # GREEN alone: everyone; AMBER content: nl-cert, its client nl-energy, de-cert, de-bank.
    assert derived_seen_by(report, [amber]) == {
        "p-de-cert",
        "p-nl-cert",
        "p-nl-cert-2",
        "p-nl-energy",
        "p-de-bank",
    }


def test_rule_e_a_hidden_content_refuses_with_its_own_reason() -> None:
    report = obj("de-cert", TLP_GREEN.id)
    red = obj("nl-cert", TLP_RED.id)
    viewer = Viewer.for_principal(principal("p-fr-mil"), directory())
    assert viewer.decide(report).allowed
    assert decide_derived(viewer, report, [red]).reason is Reason.CONTENT_HIDDEN


def test_the_derived_objects_producer_keeps_sight_of_it() -> None:
    report = obj("fr-mil", TLP_GREEN.id)
    revoked = obj("nl-cert", TLP_AMBER_STRICT.id)
    viewer = Viewer.for_principal(principal("p-fr-mil"), directory())
    assert decide_derived(viewer, report, [revoked]).reason is Reason.PRODUCER
    assert not viewer.decide(revoked).allowed


def test_rule_e_minimum_level_is_the_most_restrictive_content() -> None:
    contents = [obj("nl-cert", TLP_GREEN.id), obj("de-cert"), obj("fr-mil", TLP_AMBER.id)]
    assert minimum_derived_level(contents, directory()) is TlpLevel.AMBER_STRICT
    assert minimum_derived_level([], directory()) is None


def test_rule_e_a_derived_product_marked_wider_is_refused_unless_sanitised() -> None:
    contents = [obj("nl-cert", TLP_AMBER.id)]
    report = ObjectDescriptor("report--1", "de-cert", (TLP_GREEN.id,))
    with pytest.raises(InputError) as caught:
        check_derived_marking(report, contents, directory())
    assert "report--1" in str(caught.value)
    assert "TLP:AMBER" in str(caught.value)
    check_derived_marking(report, contents, directory(), sanitised=True)
    narrower = ObjectDescriptor("report--2", "de-cert", (TLP_RED.id,))
    check_derived_marking(narrower, contents, directory())
    assert minimum_derived_level(contents, directory()) is TlpLevel.AMBER


def test_rule_c_unmarked_sighting_is_the_submitters_org_only() -> None:
    snapshot = directory({"de-bank": TlpLevel.GREEN})
    sighting = describe_sighting("sighting--1", "de-bank")
    assert sighting.tlp is TlpLevel.AMBER_STRICT
    seen = {p for p in ALL_PEOPLE if decide(principal(p), sighting, snapshot).allowed}
    assert seen == {"p-de-bank"}


def test_rule_c_sighting_reaches_the_indicator_producer_when_addressed() -> None:
    sighting = describe_sighting("sighting--1", "de-bank", recipient_org_ids=frozenset({"nl-cert"}))
    indicator = obj("nl-cert", TLP_CLEAR.id)
    seen = derived_seen_by(sighting, [indicator])
    assert seen == {"p-de-bank", "p-nl-cert", "p-nl-cert-2"}


def test_rule_c_an_explicit_marking_on_a_sighting_is_kept() -> None:
    assert describe_sighting("sighting--1", "de-bank", (TLP_GREEN.id,)).tlp is TlpLevel.GREEN


def test_content_refs_of_derived_types() -> None:
    assert content_refs({"type": "report", "object_refs": ["a", "b"]}) == ("a", "b")
    sighting = {"type": "sighting", "sighting_of_ref": "i", "observed_data_refs": ["o"]}
    assert content_refs(sighting) == ("i", "o")
    assert content_refs({"type": "indicator", "object_refs": ["a"]}) == ()


def test_rule_b_narrowing_is_allowed_to_others() -> None:
    before = obj("nl-cert", TLP_GREEN.id)
    after = obj("nl-cert", TLP_AMBER.id)
    check_remarking(before, after, "centre", directory())
    with pytest.raises(PermissionDeniedError, match="widen TLP:AMBER to TLP:GREEN"):
        check_remarking(after, before, "centre", directory())


@pytest.mark.parametrize(
    "after",
    [
        obj("nl-cert", TLP_AMBER.id, recipient_org_ids=frozenset({"fr-mil"})),
        obj("nl-cert", TLP_AMBER.id, community_ids=frozenset({"nl"})),
        obj("nl-cert", TLP_AMBER.id, releasable_to=frozenset({"NL"})),
        obj("centre", TLP_AMBER.id),
    ],
)
def test_rule_a_only_the_source_changes_distribution(after: ObjectDescriptor) -> None:
    before = obj("nl-cert", TLP_AMBER.id)
    with pytest.raises(PermissionDeniedError, match="only the producer"):
        check_remarking(before, after, "centre", directory())


def test_rule_a_the_source_may_widen() -> None:
    before = obj("nl-cert", TLP_RED.id)
    after = obj("nl-cert", TLP_CLEAR.id, recipient_org_ids=frozenset({"fr-mil"}))
    check_remarking(before, after, "nl-cert", directory())
    assert decide(principal("p-fr-mil"), after, directory()).allowed
