"""The syslog listener's wiring: its own thread and loop, the services' bus and limits.

It runs beside the API in ``shieldwall up`` when a syslog port is configured, and shares
the intake's per-member rates and bound in flight with HTTP, so a member cannot pass its
rate by sending both ways.
"""

from __future__ import annotations

import asyncio
import ssl
import threading

from shieldwall import live
from shieldwall.config.settings import Settings
from shieldwall.model.errors import ConfigError
from shieldwall.runtime.loop_thread import LoopThread
from shieldwall.runtime.wiring import Services


def syslog_ports(settings: Settings) -> live.SyslogPorts:
    """The sockets the settings ask for, with the TLS context (TLS 1.2 at least)."""
    context = None
    if settings.syslog_tls_port is not None:
        cert, key = settings.syslog_tls_cert_file, settings.syslog_tls_key_file
        if cert is None or key is None:
            raise ConfigError("syslog_tls_cert_file", "syslog_tls_port needs a cert and a key")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            context.load_cert_chain(cert, key)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError("syslog_tls_cert_file", f"cannot load {cert}: {exc}") from exc
    return live.SyslogPorts(
        host=settings.syslog_host,
        udp=settings.syslog_udp_port,
        tcp=settings.syslog_tcp_port,
        tls=settings.syslog_tls_port,
        tls_context=context,
        max_message_bytes=settings.syslog_max_message_bytes,
    )


def _check_members(services: Services) -> None:
    """Refuse a source range given to an organisation the store does not know: its lines
    would be attributed to nobody the gate could ever show them to."""
    with services.store.transaction() as tx:
        for index, source in enumerate(services.settings.syslog_sources):
            if tx.organisations.get(source.org_id) is None:
                raise ConfigError(
                    f"syslog_sources[{index}].org_id",
                    f"{source.network} is given to {source.org_id!r}, not an organisation",
                )


class SyslogThread(LoopThread):
    """The listener in a thread of its own; :meth:`start` returns once the sockets are bound
    (or raises why they could not be)."""

    name = "syslog"

    def __init__(self, services: Services) -> None:
        services.settings.check_syslog()
        _check_members(services)
        super().__init__()
        self._services = services
        self._ports = syslog_ports(services.settings)
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self.listener: live.SyslogListener | None = None

    def start(self, timeout: float = 10.0) -> None:
        """Bind the sockets and start publishing (stop closes them and publishes what is
        queued)."""
        super().start()
        self._ready.wait(timeout)
        if self._failure is not None:
            raise ConfigError("syslog_host", f"cannot listen: {self._failure}")

    async def _serve(self, stop: asyncio.Event) -> None:
        services = self._services
        desk = services.ingest
        intake = live.SyslogIntake(desk, live.SourceMap(services.settings.syslog_sources))
        self.listener = live.SyslogListener(intake, self._ports)
        try:
            await self.listener.start()
        except OSError as exc:
            self._failure = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            await stop.wait()
        finally:
            await self.listener.stop()
            if services.buses is not None:
                await services.buses.close_current()
