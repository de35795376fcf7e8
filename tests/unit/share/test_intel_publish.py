"""Publishing: validation per object, producer-only versions, duplicates, audiences."""

from __future__ import annotations

from shieldwall.share.intel.audience import Addressing
from tests.unit.share.intel_world import MARK, Session, indicator


def test_invalid_objects_are_refused_with_the_reason_and_the_rest_go_on(alpha: Session) -> None:
    good = indicator("alpha")
    bad_pattern = indicator("alpha", value="x")
    bad_pattern["pattern"] = "[ipv4-addr:value = "
    result = alpha.publish([good, bad_pattern, {"type": "indicator"}, 7])
    assert [e.id for e in result.successes] == [good["id"]]
    assert len(result.failures) == 3
    assert "pattern" in result.failures[0].message
    assert result.failures[0].id == bad_pattern["id"]
    assert alpha.read_ids() == [good["id"]]


def test_only_the_producer_may_publish_a_new_version(alpha: Session, bravo: Session) -> None:
    original = indicator("alpha")
    alpha.publish([original])
    forged = {**original, "modified": "2024-02-01T00:00:00.000Z"}
    refused = bravo.publish([forged])
    assert refused.successes == []
    assert "created_by_ref" in refused.failures[0].message
    unattributed = {k: v for k, v in forged.items() if k != "created_by_ref"}
    refused = bravo.publish([unattributed])
    assert "only the producer" in refused.failures[0].message
    accepted = alpha.publish([forged])
    assert [e.version for e in accepted.successes] == ["2024-02-01T00:00:00.000Z"]


def test_an_existing_version_is_reported_and_not_duplicated(alpha: Session) -> None:
    obj = indicator("alpha")
    alpha.publish([obj])
    again = alpha.publish([obj, obj])
    assert all("already present" in e.message for e in again.successes)
    assert again.stored == []
    assert alpha.read_ids(versions=frozenset({"all"})) == [obj["id"]]


def test_a_version_resent_with_other_content_is_refused_not_ignored(alpha: Session) -> None:
    obj = indicator("alpha")
    alpha.publish([obj])
    reordered = dict(reversed(list(obj.items())))  # the same object: key order is no content
    changed = {**obj, "name": "renamed without a new modified"}
    result = alpha.publish([reordered, changed])
    assert [e.message for e in result.successes] == ["already present; not stored again"]
    assert [e.id for e in result.failures] == [obj["id"]]
    assert "already stored with other content" in result.failures[0].message
    in_one_batch = indicator("alpha")
    twin = {**in_one_batch, "description": "other"}
    result = alpha.publish([in_one_batch, twin])
    assert len(result.stored) == 1 and "other content" in result.failures[0].message


def test_every_version_is_kept_and_last_is_the_default(alpha: Session) -> None:
    first = indicator("alpha", modified="2024-01-01T00:00:00.000Z")
    third = {**first, "modified": "2024-03-01T00:00:00.000Z"}
    second = {**first, "modified": "2024-02-01T00:00:00.000Z"}
    alpha.publish([first])
    alpha.publish([third, second])
    assert alpha.read_ids(versions=frozenset({"all"})) == [first["id"]] * 3
    assert alpha.read_ids() == [first["id"]]


def test_unknown_markings_are_refused(alpha: Session) -> None:
    obj = indicator("alpha", tlp=None)
    obj["object_marking_refs"] = ["marking-definition--00000000-0000-4000-8000-000000000000"]
    result = alpha.publish([obj])
    assert "does not resolve" in result.failures[0].message


def test_a_tampered_pinned_tlp_definition_is_refused(alpha: Session) -> None:
    tampered = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": MARK["strict"],
        "created": "2022-10-01T00:00:00.000Z",
        "name": "TLP:CLEAR",
        "extensions": {
            "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                "extension_type": "property-extension",
                "tlp_2_0": "clear",
            }
        },
    }
    result = alpha.publish([tampered])
    assert "pinned" in result.failures[0].message


def test_markings_decide_who_reads(alpha: Session, bravo: Session, charlie: Session) -> None:
    green = indicator("alpha", tlp="green")
    amber = indicator("alpha", tlp="amber")
    strict = indicator("alpha", tlp="strict")
    unmarked = indicator("alpha", tlp=None)
    alpha.publish([green, amber, strict, unmarked])
    assert set(alpha.read_ids()) == {green["id"], amber["id"], strict["id"], unmarked["id"]}
    assert bravo.read_ids() == [green["id"]]
    assert charlie.read_ids() == [green["id"], amber["id"]]


def test_addressing_names_recipients(alpha: Session, bravo: Session, charlie: Session) -> None:
    strict = indicator("alpha", tlp="strict")
    alpha.publish([strict], Addressing(recipient_org_ids=frozenset({"bravo"})))
    assert bravo.read_ids() == [strict["id"]]
    assert charlie.read_ids() == []


def test_narrowing_a_marking_hides_every_version_and_is_recorded(
    alpha: Session, bravo: Session
) -> None:
    green = indicator("alpha", tlp="green")
    alpha.publish([green])
    narrowed = {
        **green,
        "modified": "2024-05-01T00:00:00.000Z",
        "object_marking_refs": [MARK["red"]],
    }
    alpha.publish([narrowed])
    assert bravo.read_ids(versions=frozenset({"all"})) == []
    with alpha.store.transaction() as tx:
        revoked = tx.intel.revocations(0, 10)
    assert [r.stix_id for r in revoked] == [green["id"]]
    assert revoked[0].audience.tlp == 1


def test_sightings_reach_the_indicator_producer_only(
    alpha: Session, bravo: Session, charlie: Session
) -> None:
    target = indicator("alpha", tlp="green")
    alpha.publish([target])
    sighting = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": "sighting--6b0e3856-95f3-4c04-a882-116832996da0",
        "created": "2024-01-02T00:00:00.000Z",
        "modified": "2024-01-02T00:00:00.000Z",
        "sighting_of_ref": target["id"],
        "count": 3,
    }
    result = bravo.publish([sighting])
    assert result.failures == []
    assert sighting["id"] in alpha.read_ids(types=("sighting",))
    assert charlie.read_ids(types=("sighting",)) == []


def _sighting_of(target: str, org: str) -> dict[str, object]:
    from tests.unit.share.intel_world import identity_id

    return {
        "type": "sighting",
        "spec_version": "2.1",
        "id": "sighting--6a3e1f0e-9a4b-4c53-8d8e-3b7d3f2a1c10",
        "created": "2024-01-02T00:00:00.000Z",
        "modified": "2024-01-02T00:00:00.000Z",
        "created_by_ref": identity_id(org),
        "sighting_of_ref": target,
        "count": 3,
        "object_marking_refs": [MARK["green"]],
    }


def test_no_path_stores_a_sighting_of_an_object_hidden_from_its_submitter(
    alpha: Session, bravo: Session
) -> None:
    hidden = indicator("alpha", tlp="strict")
    shared = indicator("alpha", tlp="green")
    alpha.publish([hidden, shared])
    refused = bravo.publish([_sighting_of(hidden["id"], "bravo")])
    absent = bravo.publish(
        [_sighting_of("indicator--0b1c2d3e-4f50-4a61-8b72-c3d4e5f60718", "bravo")]
    )
    assert refused.successes == []
    assert refused.failures[0].message == absent.failures[0].message.replace(
        "indicator--0b1c2d3e-4f50-4a61-8b72-c3d4e5f60718", hidden["id"]
    )
    accepted = bravo.publish([_sighting_of(shared["id"], "bravo")])
    assert [entry.id for entry in accepted.successes] == [
        "sighting--6a3e1f0e-9a4b-4c53-8d8e-3b7d3f2a1c10"
    ]
