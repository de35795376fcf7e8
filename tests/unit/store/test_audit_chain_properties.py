"""Property: any single tampering of a random chain is detected at the right entry.

Chains are built as the service builds them: the genesis at entry 0, a checkpoint every
``EVERY`` entries naming the one before it, and the head naming the newest checkpoint.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.model.audit import AuditEntry, AuditRecord, Checkpoint
from shieldwall.store.audit.chain import GENESIS, chained, genesis_record, recompute, verify_chain
from shieldwall.store.audit.signing import Signer, Statement

SIGNER = Signer.generate()
START = datetime(2026, 1, 1, tzinfo=UTC)
EVERY = 3
text = st.text(max_size=12)


def _chain(details: list[str]) -> list[AuditEntry]:
    entries = [chained(genesis_record("log-1"), 0, GENESIS, START)]
    for seq, detail in enumerate(details, start=1):
        record = AuditRecord("p", "org", "act", "obj", str(seq), detail=detail)
        entries.append(chained(record, seq, entries[-1].hash, START + timedelta(microseconds=seq)))
    return entries


def _statement(kind: Statement, entry: AuditEntry, prev: int) -> Checkpoint:
    signature = SIGNER.sign(kind, entry.seq, entry.hash, prev, entry.at)
    return Checkpoint(entry.seq, entry.hash, signature, SIGNER.key_id, entry.at, prev)


def _signed(entries: list[AuditEntry]) -> tuple[list[Checkpoint], Checkpoint]:
    checkpoints: list[Checkpoint] = []
    for entry in entries[1:]:
        if entry.seq % EVERY == 0:
            prev = checkpoints[-1].seq if checkpoints else 0
            checkpoints.append(_statement(Statement.CHECKPOINT, entry, prev))
    newest = checkpoints[-1].seq if checkpoints else 0
    return checkpoints, _statement(Statement.HEAD, entries[-1], newest)


def _verify(entries: list[AuditEntry], signed: tuple[list[Checkpoint], Checkpoint]) -> object:
    checkpoints, head = signed
    return verify_chain(entries, checkpoints, head, SIGNER.verifier)


@given(details=st.lists(text, max_size=30))
def test_an_untouched_chain_verifies(details: list[str]) -> None:
    entries = _chain(details)
    assert _verify(entries, _signed(entries)) is None


@given(details=st.lists(text, min_size=1, max_size=30), data=st.data())
@settings(max_examples=300)
def test_a_changed_entry_is_named(details: list[str], data: st.DataObject) -> None:
    entries = _chain(details)
    signed = _signed(entries)
    index = data.draw(st.integers(0, len(entries) - 1))
    new_detail = data.draw(text.filter(lambda value: value != entries[index].detail))
    entries[index] = replace(entries[index], detail=new_detail)
    problem = verify_chain(entries, *signed, SIGNER.verifier)
    assert problem is not None
    assert (problem.seq, problem.kind) == (index, "changed")


@given(details=st.lists(text, min_size=2, max_size=30), data=st.data())
@settings(max_examples=300)
def test_a_deleted_entry_is_named(details: list[str], data: st.DataObject) -> None:
    """Any entry but the last, the genesis included."""
    entries = _chain(details)
    signed = _signed(entries)
    index = data.draw(st.integers(0, len(entries) - 2))
    del entries[index]
    problem = verify_chain(entries, *signed, SIGNER.verifier)
    assert problem is not None
    assert (problem.seq, problem.kind) == (index, "deleted")


@given(details=st.lists(text, min_size=3, max_size=30), data=st.data())
@settings(max_examples=300)
def test_swapped_entries_are_named(details: list[str], data: st.DataObject) -> None:
    entries = _chain(details)
    signed = _signed(entries)
    first = data.draw(st.integers(1, len(entries) - 2))
    second = data.draw(st.integers(first + 1, len(entries) - 1))
    a, b = entries[first], entries[second]
    entries[first] = replace(b, seq=a.seq)
    entries[second] = replace(a, seq=b.seq)
    problem = verify_chain(entries, *signed, SIGNER.verifier)
    assert problem is not None
    assert (problem.seq, problem.kind) == (first, "reordered")


@given(details=st.lists(text, min_size=1, max_size=30), data=st.data())
@settings(max_examples=300)
def test_a_truncated_tail_is_named(details: list[str], data: st.DataObject) -> None:
    entries = _chain(details)
    signed = _signed(entries)
    keep = data.draw(st.integers(1, len(entries) - 1))
    problem = verify_chain(entries[:keep], *signed, SIGNER.verifier)
    assert problem is not None
    assert (problem.seq, problem.kind) == (keep, "truncated")


@given(details=st.lists(text, min_size=2, max_size=30), data=st.data())
@settings(max_examples=300)
def test_an_inserted_entry_is_named(details: list[str], data: st.DataObject) -> None:
    entries = _chain(details)
    signed = _signed(entries)
    index = data.draw(st.integers(1, len(entries) - 1))
    before = entries[index - 1]
    forged = replace(before, detail=before.detail + "!", prev_hash=before.hash)
    forged = replace(forged, hash=recompute(forged))
    renumbered = [replace(entry, seq=entry.seq + 1) for entry in entries[index:]]
    tampered = [*entries[:index], replace(forged, seq=index), *renumbered]
    problem = verify_chain(tampered, *signed, SIGNER.verifier)
    assert problem is not None
    assert (problem.seq, problem.kind) == (index, "inserted")


@given(details=st.lists(text, min_size=EVERY, max_size=30), data=st.data())
@settings(max_examples=200)
def test_a_deleted_checkpoint_is_named(details: list[str], data: st.DataObject) -> None:
    entries = _chain(details)
    checkpoints, head = _signed(entries)
    index = data.draw(st.integers(0, len(checkpoints) - 1))
    gone = checkpoints.pop(index)
    problem = verify_chain(entries, checkpoints, head, SIGNER.verifier)
    assert problem is not None
    assert (problem.seq, problem.kind) == (gone.seq, "missing")


@given(details=st.lists(text, min_size=EVERY, max_size=30), data=st.data())
@settings(max_examples=200)
def test_a_checkpoint_never_passes_for_a_head(details: list[str], data: st.DataObject) -> None:
    """Cut back to any checkpoint, that checkpoint copied into the head: refused."""
    entries = _chain(details)
    checkpoints, _ = _signed(entries)
    index = data.draw(st.integers(0, len(checkpoints) - 1))
    cut = checkpoints[index]
    problem = verify_chain(entries[: cut.seq + 1], checkpoints[: index + 1], cut, SIGNER.verifier)
    assert problem is not None
    assert (problem.seq, problem.kind) == (cut.seq, "signature")
