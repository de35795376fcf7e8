"""Issue, replay, withdraw, expire, revoke; allow-lists; versions that move only on change;
signed manifests that a member can verify and that fail when anything is altered."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from shieldwall.model.audit import Outcome
from shieldwall.model.errors import (
    ConflictError,
    InputError,
    IntegrityError,
    NotFoundError,
    PermissionDeniedError,
)
from shieldwall.model.identity import OrgKind, Principal, Role
from shieldwall.model.measures import MeasureFormat, MeasureKind, Subscription
from shieldwall.respond import MANIFEST_FILE, IssueRequest, MeasureDesk, verify_manifest
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.store import SqlStore
from tests.unit.respond.measures.conftest import ALPHA_LEAD, CENTRE_LEAD, Clock
from tests.unit.share.intel_world import Session, indicator

OPERATOR = Principal("operator", "centre", Role.ADMIN, OrgKind.CENTRE)
DAY = timedelta(days=1)


def block(desk: MeasureDesk, clock: Clock, kind: str, value: str, key: str, days: int = 1) -> str:
    """Issue a block as the centre's lead; its id."""
    request = IssueRequest(kind, value, "test", clock.now + days * DAY)
    return desk.issue(CENTRE_LEAD, request, key).measure.id


def plain(desk: MeasureDesk, member: str = "bravo") -> set[str]:
    built = desk.build(OPERATOR, member, "default", MeasureFormat.PLAIN)
    return set(built.files[MeasureFormat.PLAIN].decode().split())


@pytest.fixture
def subscribed(desk: MeasureDesk) -> MeasureDesk:
    for member in ("alpha", "bravo"):
        desk.subscribe(OPERATOR, Subscription(member, "default"))
    return desk


def test_issuing_is_idempotent_by_key(subscribed: MeasureDesk, clock: Clock) -> None:
    request = IssueRequest("domain", "Evil.Example", "phishing kit", clock.now + DAY)
    first = subscribed.issue(CENTRE_LEAD, request, "playbook-7:step-3")
    again = subscribed.issue(CENTRE_LEAD, request, "playbook-7:step-3")
    assert not first.replayed and again.replayed
    assert again.measure.id == first.measure.id and first.measure.value == "evil.example"
    assert len(subscribed.measures(OPERATOR)) == 1
    other = IssueRequest("domain", "other.example", "phishing kit", clock.now + DAY)
    with pytest.raises(ConflictError, match="idempotency key"):
        subscribed.issue(CENTRE_LEAD, other, "playbook-7:step-3")
    # the key is the issuer's: another organisation's same key is another measure
    assert not subscribed.issue(ALPHA_LEAD, request, "playbook-7:step-3").replayed


def test_only_leads_issue_and_requests_are_checked(subscribed: MeasureDesk, clock: Clock) -> None:
    analyst = Principal("an", "alpha", Role.ANALYST, OrgKind.NATION)
    request = IssueRequest("ip", "192.0.2.1", "c2", clock.now + DAY)
    with pytest.raises(PermissionDeniedError):
        subscribed.issue(analyst, request, "k")
    for bad, place in (
        (IssueRequest("ip", "192.0.2.1", "c2", clock.now - DAY), "valid_until"),
        (IssueRequest("ip", "192.0.2.1", "c2", clock.now + 400 * DAY), "valid_until"),
        (IssueRequest("ip", "192.0.2.1", "c2", clock.now + DAY, tlp="red"), "TLP:RED"),
        (IssueRequest("ip", "192.0.2.1", " ", clock.now + DAY), "reason"),
        (IssueRequest("ip", "192.0.2.1", "c2", clock.now + DAY, members=frozenset({"x"})), "x"),
    ):
        with pytest.raises(InputError, match=place):
            subscribed.issue(CENTRE_LEAD, bad, "k")
    assert subscribed.measures(OPERATOR) == []


def test_withdrawn_and_expired_measures_leave_the_next_version(
    subscribed: MeasureDesk, clock: Clock
) -> None:
    short = block(subscribed, clock, "ip", "192.0.2.1", "a")
    kept = block(subscribed, clock, "ip", "192.0.2.2", "b", 9)
    gone = block(subscribed, clock, "ip", "192.0.2.3", "c", 9)
    first = subscribed.build(OPERATOR, "bravo").version.version
    assert plain(subscribed) == {"192.0.2.1", "192.0.2.2", "192.0.2.3"}
    with pytest.raises(NotFoundError):  # another member cannot withdraw the centre's measure
        subscribed.withdraw(ALPHA_LEAD, gone, "not mine")
    subscribed.withdraw(CENTRE_LEAD, gone, "false positive")
    assert plain(subscribed) == plain(subscribed, "alpha") == {"192.0.2.1", "192.0.2.2"}
    clock.advance(2 * DAY)
    assert plain(subscribed) == {"192.0.2.2"}
    assert subscribed.build(OPERATOR, "bravo").version.version == first + 2
    assert short not in {m.id for m in subscribed.measures(OPERATOR)}
    assert kept in {m.id for m in subscribed.measures(OPERATOR)}


def test_a_revoked_indicator_leaves_the_next_version(
    store: SqlStore, subscribed: MeasureDesk
) -> None:
    alpha = Session(store, "p-alpha")
    first = indicator("alpha", value="10.0.0.1", confidence=90)
    alpha.publish([first, indicator("alpha", value="10.0.0.2", confidence=90)])
    assert plain(subscribed) == {"10.0.0.1", "10.0.0.2"}
    alpha.publish([{**first, "modified": "2024-02-01T00:00:00.000Z", "revoked": True}])
    assert plain(subscribed) == {"10.0.0.2"}


def test_subscriptions_choose_kinds_and_confidence(
    store: SqlStore, desk: MeasureDesk, clock: Clock
) -> None:
    Session(store, "p-alpha").publish(
        [indicator("alpha", value="10.0.0.1", confidence=30), indicator("alpha", value="10.0.0.2")]
    )
    desk.issue(CENTRE_LEAD, IssueRequest("domain", "evil.example", "x", clock.now + DAY), "d")
    desk.subscribe(
        OPERATOR, Subscription("bravo", "default", frozenset({MeasureKind.IP}), min_confidence=40)
    )
    assert plain(desk) == {"10.0.0.2"}  # unrated indicators count as 50
    desk.subscribe(OPERATOR, Subscription("bravo", "default", indicators=False))
    assert plain(desk) == {"evil.example"}
    with pytest.raises(NotFoundError):
        desk.build(OPERATOR, "bravo", "absent")


def test_allow_lists_stop_values_and_say_so(
    store: SqlStore, subscribed: MeasureDesk, clock: Clock
) -> None:
    subscribed.allow(OPERATOR, None, "ip", "8.8.8.8", "public resolver")
    with pytest.raises(InputError, match="allow-list"):
        subscribed.issue(CENTRE_LEAD, IssueRequest("ip", "8.8.0.0/16", "x", clock.now + DAY), "k")
    assert subscribed.measures(OPERATOR) == []
    with store.reading() as tx:
        stopped = [e for e in tx.audit.entries() if e.action == "measure.stopped"]
    assert len(stopped) == 1 and stopped[0].outcome is Outcome.DENIED
    subscribed.issue(CENTRE_LEAD, IssueRequest("domain", "example.org", "x", clock.now + DAY), "e")
    subscribed.issue(CENTRE_LEAD, IssueRequest("ip", "198.51.100.7", "x", clock.now + DAY), "f")
    subscribed.allow(ALPHA_LEAD, "alpha", "domain", "www.example.org", "our portal")
    alpha = subscribed.build(OPERATOR, "alpha")
    assert [(s.item.value, s.entry.value) for s in alpha.stopped] == [
        ("example.org", "www.example.org")
    ]
    assert plain(subscribed, "alpha") == {"198.51.100.7"}
    assert plain(subscribed, "bravo") == {"example.org", "198.51.100.7"}  # alpha's list only
    with pytest.raises(PermissionDeniedError):  # the coalition's list is the centre's
        subscribed.allow(ALPHA_LEAD, None, "ip", "10.0.0.0/8", "")
    bravo_lead = Principal("lb", "bravo", Role.LEAD, OrgKind.MILITARY)
    with pytest.raises(NotFoundError):
        subscribed.allow(bravo_lead, "alpha", "ip", "10.0.0.0/8", "")


def test_versions_move_only_when_the_content_does(subscribed: MeasureDesk, clock: Clock) -> None:
    first = subscribed.build(OPERATOR, "bravo")
    again = subscribed.build(OPERATOR, "bravo")
    assert again.version.version == first.version.version == 1
    assert again.etags == first.etags and again.manifest == first.manifest
    subscribed.issue(CENTRE_LEAD, IssueRequest("ip", "192.0.2.9", "x", clock.now + DAY), "k")
    moved = subscribed.build(OPERATOR, "bravo")
    assert moved.version.version == 2 and moved.etags != first.etags


def test_a_member_verifies_the_signed_manifest(
    subscribed: MeasureDesk, clock: Clock, tmp_path: Path
) -> None:
    subscribed.issue(
        CENTRE_LEAD, IssueRequest("url", "http://evil.example/x", "x", clock.now + DAY), "u"
    )
    built = subscribed.build(OPERATOR, "bravo")
    for fmt, content in built.files.items():
        (tmp_path / built.file_name(fmt)).write_bytes(content)
    manifest = tmp_path / MANIFEST_FILE
    manifest.write_bytes(built.manifest_bytes)
    key = subscribed.public_key(OPERATOR)
    checked = verify_manifest(manifest, key)
    assert checked["version"] == 1 and len(checked["files"]) == len(MeasureFormat)
    other = Signer.generate()
    from shieldwall.respond.measures.manifest import public_key_pem

    with pytest.raises(IntegrityError, match="another key"):
        verify_manifest(manifest, public_key_pem(other))
    rules = tmp_path / "measures.rules"
    rules.write_bytes(rules.read_bytes() + b"pass ip any any -> any any (sid:1;)\n")
    with pytest.raises(IntegrityError, match=r"measures\.rules"):
        verify_manifest(manifest, key)
    rules.write_bytes(built.files[MeasureFormat.SURICATA])
    manifest.write_bytes(built.manifest_bytes.replace(b'"version": 1', b'"version": 9'))
    with pytest.raises(IntegrityError, match="signature"):
        verify_manifest(manifest, key)
