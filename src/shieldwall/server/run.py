"""Serve the application until stopped, with the feed worker beside it when configured."""

from __future__ import annotations

import os
import signal
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from shieldwall.config.settings import Settings
from shieldwall.runtime import (
    DetectThread,
    FeedWorker,
    FuseThread,
    NotifyThread,
    PlaybookWorker,
    Services,
    StageProcesses,
    SyslogThread,
    feed_runner,
    live_rules,
    safe_database_url,
)
from shieldwall.server.app import create_app


def banner(services: Services) -> str:
    """One line saying where this server listens and what it runs on (no credentials)."""
    settings = services.settings
    scheme = "https" if settings.serves_tls else "http"
    return (
        f"Shieldwall on {scheme}://{settings.host}:{settings.port} "
        f"(database {safe_database_url(settings)}, "
        f"{len(settings.taxii_feeds)} TAXII feeds)"
    )


def serve(
    services: Services, *, stages: bool = True, children: StageProcesses | None = None
) -> bool:
    """Serve until uvicorn stops; False when a background worker was still busy.

    Configured TAXII feeds are pulled on schedule by a background thread that stops when
    the server shuts down; the next start resumes from the last saved page. With
    ``live_rules`` set, a detect worker matches the members' telemetry in another thread
    and a fuse worker groups the alerts into incidents in a third; what they had not
    acknowledged is redelivered on the next start. With a syslog port set, the syslog
    listener runs in a thread of its own. The notification delivery worker works the
    outbox in another (what it had not delivered is found there on the next start).

    ``stages=False`` (``shieldwall serve``) leaves the detect and fuse stages to
    ``shieldwall worker detect|fuse`` processes: each stage then has an interpreter, and a
    core, of its own. With ``children`` (``shieldwall up --stage-processes``) this process
    starts those workers itself, when it would have run the stages, and stops them with
    the API.
    """
    settings = services.settings
    syslog = SyslogThread(services) if settings.runs_syslog else None
    if syslog is not None:  # first: a bad setting or a taken port stops nothing else started
        syslog.start()
    worker = FeedWorker(feed_runner(services, os.environ)) if settings.taxii_feeds else None
    if worker is not None:
        worker.start()
    detect = _detect_thread(services) if stages and children is None else None
    fuse = _fuse_thread(services) if detect is not None else None
    children = children if stages and _detects(services) else None
    if children is not None:
        children.start()
    notify = _notify_thread(services)
    playbooks = PlaybookWorker(services.playbooks, services.store)  # issue 11
    playbooks.start()
    services.validation.warm()
    try:
        with _sigterm_returns():
            uvicorn.run(
                create_app(services),
                host=settings.host,
                port=settings.port,
                log_level=settings.log_level.lower(),
                proxy_headers=False,
                timeout_graceful_shutdown=10,  # open live streams (SSE) end; clients resume
                **tls_options(settings),
            )
    finally:
        stopped = worker is None or worker.stop()
        if syslog is not None:
            stopped = syslog.stop() and stopped
        if detect is not None:
            stopped = detect.stop() and stopped
        if fuse is not None:
            stopped = fuse.stop() and stopped
        if children is not None:
            stopped = children.stop() and stopped
        if notify is not None:
            stopped = notify.stop() and stopped
        stopped = playbooks.stop() and stopped
        services.validation.close()
    return stopped


@contextmanager
def _sigterm_returns() -> Iterator[None]:
    """SIGTERM ends :func:`serve` by returning, so what runs beside the API is stopped.

    uvicorn, stopped by a signal, shuts down and then raises the signal again for the
    handler it found in place; SIGTERM's default handler would end the process right
    there, and the feed, syslog, stage and playbook workers would never be told to finish
    their batch (nor stage processes be stopped). While serving, SIGTERM's handler here
    does nothing: uvicorn's own handles the signal, and its raising again returns.
    """
    if threading.current_thread() is not threading.main_thread():  # signals: main only
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda _signal, _frame: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _detects(services: Services) -> bool:
    """Whether the centre runs the live pipeline's stages (it has rules and a bus)."""
    settings = services.settings
    return bool(settings.live_rules or settings.live_detect) and services.buses is not None


def _detect_thread(services: Services) -> DetectThread | None:
    """The live detect worker beside the API, when the centre has rules to run."""
    if not _detects(services) or services.buses is None:
        return None
    detect = DetectThread(services.buses, services.store, live_rules(services.settings))
    detect.start()
    return detect


def _fuse_thread(services: Services) -> FuseThread | None:
    """The fuse worker beside the detect worker: alerts into incidents."""
    if services.buses is None:
        return None
    fuse = FuseThread(services.buses, services.store)
    fuse.start()
    return fuse


def _notify_thread(services: Services) -> NotifyThread | None:
    """The notification delivery worker beside the API (``notify.worker``, on by default)."""
    if not services.settings.notify.worker:
        return None
    notify = NotifyThread(services.store, services.settings.notify, os.environ)
    notify.start()
    return notify


def tls_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's TLS arguments: certificate and key, TLS 1.2 at least (T1).

    Python's server context already refuses SSLv3, TLS 1.0 and 1.1 (its minimum is TLS
    1.2) and negotiates TLS 1.3 when the client offers it.
    """
    if not settings.serves_tls:
        return {}
    return {
        "ssl_certfile": str(settings.tls_cert_file),
        "ssl_keyfile": str(settings.tls_key_file),
        "ssl_version": ssl.PROTOCOL_TLS_SERVER,
    }
