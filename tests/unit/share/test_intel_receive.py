"""Receiving objects written elsewhere: provenance kept, per-receiver copies, galaxy clusters."""

from __future__ import annotations

import uuid
from typing import Any

from shieldwall.policy.descriptor import ObjectDescriptor
from shieldwall.share.intel.directory import StoreDirectory
from shieldwall.share.intel.identity import identity_id
from shieldwall.share.intel.publish import PublishResult, Submission, publish_received
from shieldwall.share.misp.ids import derived_id
from shieldwall.store.sql.store import SqlStore
from tests.unit.share.intel_world import MARK, Session, indicator, principal

VENDOR = f"identity--{uuid.uuid4()}"


def _receive(store: SqlStore, person: str, *subs: Submission) -> PublishResult:
    with store.transaction() as tx:
        return publish_received(tx, principal(person), list(subs), StoreDirectory(tx))


def _vendor_indicator(**extra: Any) -> dict[str, Any]:
    return indicator("alpha", created_by_ref=VENDOR, **extra) | {"created_by_ref": VENDOR}


def _cluster(modified: str, *, tlp: str = "green", creator: str = VENDOR, **extra: Any) -> dict:
    cluster = "7cdbd1a4-1111-4222-8333-444455556666"
    return {
        "type": "threat-actor",
        "spec_version": "2.1",
        "id": derived_id("threat-actor", "misp-galaxy-cluster", cluster),
        "created": modified,
        "modified": modified,
        "name": "APT Example",
        "created_by_ref": creator,
        "object_marking_refs": [MARK[tlp]],
        "x_misp_cluster_uuid": cluster,
        **extra,
    }


def test_external_author_is_kept_as_provenance_and_the_receiver_is_the_producer(
    intel_store: SqlStore, alpha: Session, bravo: Session
) -> None:
    obj = _vendor_indicator()
    result = _receive(intel_store, "p-alpha", Submission(obj))
    assert [s.id for s in result.successes] == [obj["id"]]
    (stored,) = result.stored
    assert stored.audience.producer_org_id == "alpha"
    assert '"created_by_ref":"' + VENDOR in stored.body
    assert obj["id"] in bravo.read_ids()  # TLP:GREEN reaches the other member


def test_the_strict_path_still_refuses_a_foreign_author(alpha: Session) -> None:
    result = alpha.publish([_vendor_indicator()])
    assert "is not the identity of organisation alpha" in result.failures[0].message


def test_an_object_naming_another_member_is_refused(intel_store: SqlStore) -> None:
    forged = indicator("bravo")  # created_by_ref: bravo's identity
    result = _receive(intel_store, "p-alpha", Submission(forged))
    assert not result.stored
    assert "identity of another member organisation" in result.failures[0].message


def test_each_receiver_holds_its_own_copy_of_an_external_object(
    intel_store: SqlStore, alpha: Session, bravo: Session
) -> None:
    obj = _vendor_indicator(tlp="strict")
    assert _receive(intel_store, "p-alpha", Submission(obj)).stored
    assert obj["id"] not in bravo.read_ids()
    second = _receive(intel_store, "p-bravo", Submission(obj))
    assert len(second.stored) == 1 and second.stored[0].audience.producer_org_id == "bravo"
    assert obj["id"] in bravo.read_ids() and obj["id"] in alpha.read_ids()
    again = _receive(intel_store, "p-bravo", Submission(obj))
    assert not again.stored and "already present" in again.successes[0].message


def test_a_member_authored_object_blocks_external_copies_of_its_id(
    intel_store: SqlStore, alpha: Session
) -> None:
    own = indicator("alpha")
    assert alpha.publish([own]).stored
    copy = {**own, "created_by_ref": VENDOR, "modified": "2024-05-01T00:00:00.000Z"}
    result = _receive(intel_store, "p-bravo", Submission(copy))
    assert "only the producer may publish a new version" in result.failures[0].message


def test_a_given_audience_applies_and_the_object_markings_still_count(
    intel_store: SqlStore, bravo: Session
) -> None:
    wide = _vendor_indicator(tlp="strict")
    addressed = ObjectDescriptor(
        wide["id"], "alpha", (MARK["green"],), recipient_org_ids=frozenset({"bravo"})
    )
    (stored,) = _receive(intel_store, "p-alpha", Submission(wide, addressed)).stored
    assert stored.audience.recipient_org_ids == {"bravo"}
    assert stored.audience.tlp == 3  # AMBER+STRICT of the object beats GREEN of the source
    assert wide["id"] in bravo.read_ids()


def test_an_audience_naming_another_producer_is_refused(intel_store: SqlStore) -> None:
    obj = _vendor_indicator()
    wrong = ObjectDescriptor(obj["id"], "bravo", (MARK["green"],))
    result = _receive(intel_store, "p-alpha", Submission(obj, wrong))
    assert result.failures[0].message == "its audience names producer bravo, not alpha"


def test_galaxy_clusters_have_one_id_and_a_copy_per_receiver(
    intel_store: SqlStore, alpha: Session
) -> None:
    first = _cluster("2024-01-01T00:00:00.000Z", creator=alpha_identity())
    other_org = _cluster("2024-02-01T00:00:00.000Z", creator=f"identity--{uuid.uuid4()}")
    assert _receive(intel_store, "p-alpha", Submission(first)).stored
    same = _receive(intel_store, "p-alpha", Submission(other_org))
    assert not same.stored and same.successes[0].message == "galaxy cluster unchanged; kept"
    assert _receive(intel_store, "p-bravo", Submission(other_org)).stored  # bravo's own copy
    changed = _cluster("2024-03-01T00:00:00.000Z", description="now with a description")
    assert _receive(intel_store, "p-alpha", Submission(changed)).stored


def test_a_galaxy_cluster_is_re_versioned_only_to_reach_further(
    intel_store: SqlStore, bravo: Session
) -> None:
    narrow = _cluster("2024-01-01T00:00:00.000Z", tlp="strict")
    wider = _cluster("2024-02-01T00:00:00.000Z", tlp="green")
    narrower_again = _cluster("2024-03-01T00:00:00.000Z", tlp="strict")
    _receive(intel_store, "p-alpha", Submission(narrow))
    assert narrow["id"] not in bravo.read_ids()
    assert _receive(intel_store, "p-alpha", Submission(wider)).stored
    assert narrow["id"] in bravo.read_ids()
    kept = _receive(intel_store, "p-alpha", Submission(narrower_again))
    assert not kept.stored and narrow["id"] in bravo.read_ids()


def test_a_cluster_uuid_on_an_unrelated_id_is_not_a_galaxy_cluster(
    intel_store: SqlStore, alpha: Session
) -> None:
    own = indicator("alpha")
    assert alpha.publish([own]).stored
    spoof = {**own, "x_misp_cluster_uuid": "7cdbd1a4-1111-4222-8333-444455556666"}
    spoof |= {"created_by_ref": VENDOR, "modified": "2024-06-01T00:00:00.000Z"}
    result = _receive(intel_store, "p-bravo", Submission(spoof))
    assert "only the producer may publish a new version" in result.failures[0].message


def alpha_identity() -> str:
    return identity_id("alpha")
