"""The writers' queue on SQLite: a flock beside the database, held around each write
transaction, so writers wait in the kernel instead of in SQLite's sleeping busy handler.

What must hold: one holder at a time across processes and threads, released when the
holder's process dies however it dies (a crash never leaves the store locked), re-entrant
in one thread, and a write transaction of the store holds it while it writes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from shieldwall.model.errors import StoreError
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.write_lock import write_lock

fcntl = pytest.importorskip("fcntl")

SIGNER = Signer.generate()
HOLDER = """
import sys, time
from pathlib import Path
from shieldwall.model.errors import StoreError
from shieldwall.store.audit.signing import Signer
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore
from shieldwall.store.sql.write_lock import write_lock
with write_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(600)
"""


def _free(lock_file: Path) -> bool:
    """True when nobody holds the flock (probed on an open file of its own)."""
    descriptor = os.open(lock_file, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)  # closing drops the probe's own flock, if it got one
    return True


def test_the_lock_is_a_file_beside_the_database(tmp_path: Path) -> None:
    lock = write_lock(tmp_path / "shieldwall.db")
    assert lock.path == tmp_path.resolve() / "shieldwall.db.lock"
    assert write_lock(tmp_path / "." / "shieldwall.db") is lock  # one per file and process


def test_held_from_the_outer_enter_to_the_outer_exit_in_one_thread(tmp_path: Path) -> None:
    lock = write_lock(tmp_path / "shieldwall.db")
    with lock:
        with lock:  # a nested unit does not wait for itself
            assert not _free(lock.path)
        assert not _free(lock.path)
    assert _free(lock.path)


def test_another_thread_waits_until_the_holder_lets_go(tmp_path: Path) -> None:
    lock = write_lock(tmp_path / "shieldwall.db")
    order: list[str] = []

    def second() -> None:
        with lock:
            order.append("second")

    with lock:
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(0.2)
        order.append("first done")
    thread.join()
    assert order == ["first done", "second"]


def test_a_thread_waiting_past_the_busy_timeout_fails_instead_of_hanging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As SQLite's busy timeout did: a write that waits on another thread's (say, one its
    own transaction is waiting for) ends in an error, not a deadlock."""
    monkeypatch.setattr("shieldwall.store.sql.write_lock.THREAD_WAIT_SECONDS", 0.01)
    lock = write_lock(tmp_path / "shieldwall.db")
    failures: list[Exception] = []

    def second() -> None:
        try:
            with lock:
                pass
        except StoreError as error:
            failures.append(error)

    with lock:
        thread = threading.Thread(target=second)
        thread.start()
        thread.join()
    assert len(failures) == 1
    assert "no write turn on shieldwall.db" in str(failures[0])


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_holder_leaves_the_lock_free(tmp_path: Path) -> None:
    database = tmp_path / "shieldwall.db"
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(database)], stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "held"
            lock_file = write_lock(database).path
            assert not _free(lock_file)  # another process holds it
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
            with write_lock(database):  # taken: the kernel let go with the process
                assert not _free(lock_file)
        finally:
            if child.poll() is None:
                child.kill()


def test_a_store_write_transaction_holds_it_and_a_read_does_not(tmp_path: Path) -> None:
    store = SqlStore(create_sql_engine(f"sqlite:///{tmp_path / 'shieldwall.db'}"), SIGNER)
    lock_file = write_lock(tmp_path / "shieldwall.db").path
    try:
        with store.transaction():
            assert not _free(lock_file)
        with store.reading():
            assert _free(lock_file)
        assert _free(lock_file)
    finally:
        store.close()
