"""Property: any single tampering of a random chain is detected at the right entry."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.model.audit import AuditEntry, Checkpoint, Outcome
from shieldwall.store.audit.chain import GENESIS, entry_hash, recompute, verify_chain
from shieldwall.store.audit.signing import Signer

SIGNER = Signer.generate()
START = datetime(2026, 1, 1, tzinfo=UTC)
text = st.text(max_size=12)


def _chain(details: list[str]) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    previous = GENESIS
    for seq, detail in enumerate(details, start=1):
        at = START + timedelta(microseconds=seq)
        digest = entry_hash(
            previous, at, "p", "org", "act", "obj", str(seq), Outcome.SUCCESS, detail
        )
        entries.append(
            AuditEntry(
                seq,
                at,
                "p",
                "org",
                "act",
                "obj",
                str(seq),
                Outcome.SUCCESS,
                detail,
                previous,
                digest,
            )
        )
        previous = digest
    return entries


def _head(entries: list[AuditEntry]) -> Checkpoint | None:
    if not entries:
        return None
    last = entries[-1]
    return Checkpoint(last.seq, last.hash, SIGNER.sign(last.seq, last.hash), SIGNER.key_id, last.at)


@given(details=st.lists(text, max_size=30))
def test_an_untouched_chain_verifies(details: list[str]) -> None:
    entries = _chain(details)
    assert verify_chain(entries, [], _head(entries), SIGNER.verifier) is None


@given(details=st.lists(text, min_size=2, max_size=30), data=st.data())
@settings(max_examples=300)
def test_a_changed_entry_is_named(details: list[str], data: st.DataObject) -> None:
    entries = _chain(details)
    head = _head(entries)
    index = data.draw(st.integers(0, len(entries) - 1))
    new_detail = data.draw(text.filter(lambda value: value != entries[index].detail))
    entries[index] = replace(entries[index], detail=new_detail)
    problem = verify_chain(entries, [], head, SIGNER.verifier)
    assert problem is not None
    assert (problem.seq, problem.kind) == (index + 1, "changed")


@given(details=st.lists(text, min_size=3, max_size=30), data=st.data())
@settings(max_examples=300)
def test_a_deleted_entry_is_named(details: list[str], data: st.DataObject) -> None:
    entries = _chain(details)
    head = _head(entries)
    index = data.draw(st.integers(0, len(entries) - 2))
    del entries[index]
    problem = verify_chain(entries, [], head, SIGNER.verifier)
    assert problem is not None
    assert (problem.seq, problem.kind) == (index + 1, "deleted")


@given(details=st.lists(text, min_size=3, max_size=30), data=st.data())
@settings(max_examples=300)
def test_swapped_entries_are_named(details: list[str], data: st.DataObject) -> None:
    entries = _chain(details)
    head = _head(entries)
    first = data.draw(st.integers(0, len(entries) - 2))
    second = data.draw(st.integers(first + 1, len(entries) - 1))
    a, b = entries[first], entries[second]
    entries[first] = replace(b, seq=a.seq)
    entries[second] = replace(a, seq=b.seq)
    problem = verify_chain(entries, [], head, SIGNER.verifier)
    assert problem is not None
    assert (problem.seq, problem.kind) == (first + 1, "reordered")


@given(details=st.lists(text, min_size=2, max_size=30), data=st.data())
@settings(max_examples=300)
def test_a_truncated_tail_is_named(details: list[str], data: st.DataObject) -> None:
    entries = _chain(details)
    head = _head(entries)
    keep = data.draw(st.integers(0, len(entries) - 1))
    problem = verify_chain(entries[:keep], [], head, SIGNER.verifier)
    assert problem is not None
    assert (problem.seq, problem.kind) == (keep + 1, "truncated")


@given(details=st.lists(text, min_size=2, max_size=30), data=st.data())
@settings(max_examples=300)
def test_an_inserted_entry_is_named(details: list[str], data: st.DataObject) -> None:
    entries = _chain(details)
    head = _head(entries)
    index = data.draw(st.integers(1, len(entries) - 1))
    before = entries[index - 1]
    forged = replace(before, detail=before.detail + "!", prev_hash=before.hash)
    forged = replace(forged, hash=recompute(forged))
    renumbered = [replace(entry, seq=entry.seq + 1) for entry in entries[index:]]
    tampered = [*entries[:index], replace(forged, seq=index + 1), *renumbered]
    problem = verify_chain(tampered, [], head, SIGNER.verifier)
    assert problem is not None
    assert (problem.seq, problem.kind) == (index + 1, "inserted")
