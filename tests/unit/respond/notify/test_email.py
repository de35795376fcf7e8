"""E-mail notifications through a real SMTP server (aiosmtpd on 127.0.0.1): the TLP label
leads, the message id is the delivery's, the relay's password is used and never shown."""

from __future__ import annotations

import asyncio
import email
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from shieldwall.model.notification import ChannelType, DeliveryStatus, Secret
from shieldwall.model.sharing import Addressees, TlpLevel
from shieldwall.respond.notify import (
    ChannelRequest,
    DeliveryWorker,
    EmailSender,
    NotificationDesk,
    SmtpRelay,
)
from shieldwall.store.sql.store import SqlStore
from tests.unit.respond.respond_world import store, who

__all__ = ["store"]  # fixture

PASSWORD = "relay-password-that-must-never-show"


@dataclass
class Mailbox:
    """What the SMTP server accepted."""

    port: int
    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server with AUTH (plain text is fine on loopback in a test)."""
    box = Mailbox(_free_port())
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=box.port,
        authenticator=_authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield box
    controller.stop()


def worker(store: SqlStore, box: Mailbox, password: str = PASSWORD) -> DeliveryWorker:
    relay = SmtpRelay(
        "127.0.0.1",
        box.port,
        "centre@shieldwall.example",
        starttls=False,
        username="centre",
        password=Secret(password),
        timeout=5,
    )
    return DeliveryWorker(store, {ChannelType.EMAIL: EmailSender(relay)}, max_attempts=1)


def add_mail_channel(store: SqlStore, address: str, max_tlp: TlpLevel) -> None:
    request = ChannelRequest("alpha", ChannelType.EMAIL, address, max_tlp)
    NotificationDesk(store).add_channel(who("alpha-lead"), request)


def notify(store: SqlStore, tlp: TlpLevel, key: str) -> None:
    NotificationDesk(store).notify(
        who("bravo-analyst"),
        "assist.request",
        "Help wanted",
        "Forensics needed",
        tlp,
        Addressees(recipient_org_ids=frozenset({"alpha"})),
        key,
    )


def run(work: DeliveryWorker) -> None:
    async def go() -> None:
        await work.run_once()
        await work.close()

    asyncio.run(go())


def test_an_email_carries_its_tlp_and_the_delivery_key(store: SqlStore, mailbox: Mailbox) -> None:
    add_mail_channel(store, "soc@alpha.example", TlpLevel.AMBER)
    notify(store, TlpLevel.AMBER, "m1")
    run(worker(store, mailbox))
    (mail,) = mailbox.messages
    assert mail["Subject"] == "[TLP:AMBER] Help wanted"
    assert mailbox.envelopes == [("centre@shieldwall.example", ["soc@alpha.example"])]
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes) and body.decode().replace("\r\n", "\n").startswith(
        "TLP:AMBER\n\nForensics needed"
    )
    assert mail["X-Shieldwall-Delivery"].startswith("bravo:m1@")
    assert mail["Message-ID"].endswith("@shieldwall>")


def test_an_amber_item_never_leaves_through_a_green_mailbox(
    store: SqlStore, mailbox: Mailbox
) -> None:
    add_mail_channel(store, "public-list@alpha.example", TlpLevel.GREEN)
    notify(store, TlpLevel.AMBER, "m2")
    run(worker(store, mailbox))
    assert mailbox.messages == []
    (refused,) = NotificationDesk(store).deliveries(who("alpha-lead"), DeliveryStatus.REFUSED)
    assert refused.reason == "above-channel-maximum"


def test_a_wrong_relay_password_is_a_dead_letter_and_no_password_shows(
    store: SqlStore, mailbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    add_mail_channel(store, "soc@alpha.example", TlpLevel.AMBER)
    notify(store, TlpLevel.GREEN, "m3")
    wrong = "wrong-" + PASSWORD
    run(worker(store, mailbox, password=wrong))
    (dead,) = NotificationDesk(store).deliveries(who("alpha-lead"))
    assert dead.last_error == "the relay answered SMTP 535"
    assert mailbox.messages == []
    for text in (caplog.text, dead.last_error, repr(worker(store, mailbox, wrong).__dict__)):
        assert PASSWORD not in text
