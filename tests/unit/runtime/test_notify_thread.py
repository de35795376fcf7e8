"""The delivery worker as `shieldwall up` runs it: a notification acknowledged before a
crash is delivered by the worker of the next start, once."""

from __future__ import annotations

import time

from shieldwall.config.notify import NotifySettings
from shieldwall.model.notification import ChannelType, DeliveryStatus, Secret
from shieldwall.model.sharing import Addressees, TlpLevel
from shieldwall.respond import ChannelRequest, NotificationDesk
from shieldwall.runtime import NotifyThread
from shieldwall.store.sql.engine import create_sql_engine
from shieldwall.store.sql.store import SqlStore
from tests.unit.respond.respond_world import KEY, SIGNER, Receiver, receiver, store, who

__all__ = ["receiver", "store"]  # fixtures

LAB = NotifySettings(allow_private_addresses=True, poll_seconds=0.05, backoff_seconds=0.05)


def test_what_was_acknowledged_before_a_crash_is_delivered_after_it(
    store: SqlStore, receiver: Receiver, database_url: str
) -> None:
    desk = NotificationDesk(store, allow_plain_http=True)
    hook = ChannelRequest(
        "alpha", ChannelType.WEBHOOK, receiver.url, TlpLevel.AMBER, secret=Secret(KEY)
    )
    desk.add_channel(who("alpha-lead"), hook)
    desk.notify(who("bravo-lead"), "k", "before the crash", "", TlpLevel.GREEN, Addressees(), "1")
    store.close()  # the process stops before any worker ran
    restarted = SqlStore(create_sql_engine(database_url), SIGNER)
    thread = NotifyThread(restarted, LAB, {})
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # a second send would come now
    finally:
        assert thread.stop()
    assert [r.json()["subject"] for r in receiver.received] == ["before the crash"]
    with restarted.reading() as tx:
        (delivery,) = tx.notifications.deliveries(None, None, after=0, limit=10)
    assert delivery.status is DeliveryStatus.DELIVERED
    restarted.close()
