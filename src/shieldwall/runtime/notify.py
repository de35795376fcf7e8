"""The notification delivery worker's wiring: senders from the settings, a thread of its own.

The webhook sender gets the guard's settings (private ranges for labs, named networks);
the e-mail sender exists only when an SMTP relay is configured, with its password read
from the environment variable the settings name, once, into a wrapper nothing prints.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from shieldwall.config.notify import NotifySettings
from shieldwall.model.errors import ConfigError
from shieldwall.model.notification import ChannelType, Secret
from shieldwall.policy import parse_networks
from shieldwall.respond import DeliveryWorker, EmailSender, SmtpRelay, WebhookSender
from shieldwall.respond.notify import Sender
from shieldwall.runtime.loop_thread import LoopThread
from shieldwall.store.protocols import Store


def smtp_relay(notify: NotifySettings, env: Mapping[str, str]) -> SmtpRelay | None:
    """The configured relay, or None when e-mail is not configured."""
    if not notify.smtp_host:
        return None
    password: Secret | None = None
    if notify.smtp_password_env:
        value = env.get(notify.smtp_password_env)
        if not value:
            raise ConfigError("notify.smtp_password_env", "names an unset environment variable")
        password = Secret(value)
    return SmtpRelay(
        notify.smtp_host,
        notify.smtp_port,
        notify.smtp_from,
        starttls=notify.smtp_starttls,
        username=notify.smtp_username,
        password=password,
        timeout=notify.timeout_seconds,
    )


def delivery_worker(store: Store, notify: NotifySettings, env: Mapping[str, str]) -> DeliveryWorker:
    """The worker over the store, with a sender for each configured channel type."""
    senders: dict[ChannelType, Sender] = {
        ChannelType.WEBHOOK: WebhookSender(
            timeout=notify.timeout_seconds,
            allow_private=notify.allow_private_addresses,
            named=parse_networks(notify.allowed_networks),
        )
    }
    relay = smtp_relay(notify, env)
    if relay is not None:
        senders[ChannelType.EMAIL] = EmailSender(relay)
    return DeliveryWorker(
        store,
        senders,
        max_attempts=notify.max_attempts,
        backoff_seconds=notify.backoff_seconds,
        backoff_max_seconds=notify.backoff_max_seconds,
        lease_seconds=notify.timeout_seconds * 3 + 30,
    )


class NotifyThread(LoopThread):
    """The delivery worker in a thread of its own beside the API (or the `worker` command)."""

    name = "notify"

    def __init__(self, store: Store, notify: NotifySettings, env: Mapping[str, str]) -> None:
        super().__init__()
        self._worker = delivery_worker(store, notify, env)
        self._poll = notify.poll_seconds

    async def _serve(self, stop: asyncio.Event) -> None:
        try:
            await self._worker.run(stop, self._poll)
        finally:
            await self._worker.close()
