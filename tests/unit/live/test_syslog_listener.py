"""The syslog listener on real sockets (127.0.0.x, ephemeral ports): UDP, TCP with both
framings, TLS; messages reach the bus as events of the member their sender's range names,
and nothing from an address in no range does."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shieldwall.live import EVENTS_SUBJECT, SourceMap
from shieldwall.live.event_packs import unpack
from shieldwall.model.errors import ConfigError, InputError
from shieldwall.model.event import Event
from shieldwall.runtime import SyslogThread
from tests.unit.api.conftest import World, build_world

RFC3164 = b"<38>Dec  1 10:00:01 web1 sshd[4242]: Failed password for root from 203.0.113.9"
RFC5424 = b"<165>1 2026-12-01T10:00:02Z host2 app 77 ID47 - hello from 5424"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, written as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "syslog.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    cert, key = self_signed(tmp_path)
    built = build_world(
        tmp_path,
        SHIELDWALL_SYSLOG_SOURCES="127.0.0.1/32=alpha,127.0.0.3/32=bravo,10.0.0.0/8=bravo",
        SHIELDWALL_SYSLOG_UDP_PORT="0",
        SHIELDWALL_SYSLOG_TCP_PORT="0",
        SHIELDWALL_SYSLOG_TLS_PORT="0",
        SHIELDWALL_SYSLOG_TLS_CERT_FILE=str(cert),
        SHIELDWALL_SYSLOG_TLS_KEY_FILE=str(key),
        SHIELDWALL_SYSLOG_MAX_MESSAGE_BYTES="1024",
    )
    yield built
    built.services.close()


@pytest.fixture
def listening(world: World) -> Iterator[SyslogThread]:
    thread = SyslogThread(world.services)
    thread.start()
    yield thread
    thread.stop()


def port(thread: SyslogThread, name: str) -> int:
    assert thread.listener is not None
    return thread.listener.bound[name]


def events(world: World) -> list[Event]:
    """Every event on the bus, in order."""

    async def read() -> list[Event]:
        assert world.services.buses is not None
        bus = await world.services.buses.own()
        try:
            consumer = await bus.consumer(EVENTS_SUBJECT, "test-reader")
            found = await consumer.fetch(1000, timeout=0.2)
            return [
                event
                for delivery in found
                for _, event in unpack(delivery.sequence, delivery.payload)
                if not isinstance(event, InputError)
            ]
        finally:
            await bus.close()

    return asyncio.run(read())


def wait_for(condition: object, seconds: float = 5.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def tcp(port_number: int, data: bytes, source: str = "127.0.0.1") -> None:
    with socket.create_connection(("127.0.0.1", port_number), source_address=(source, 0)) as s:
        s.sendall(data)


def test_udp_and_tcp_messages_become_events_of_the_senders_member(
    world: World, listening: SyslogThread
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(RFC3164 + b"\n", ("127.0.0.1", port(listening, "udp")))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.3", 0))
        udp.sendto(RFC5424, ("127.0.0.1", port(listening, "udp")))
    tcp(port(listening, "tcp"), RFC3164 + b"\r\n" + RFC5424 + b"\n", source="127.0.0.3")
    assert listening.listener is not None
    counts = listening.listener.intake.counts
    wait_for(lambda: counts.accepted == 4)
    found = events(world)
    assert sorted((e.member, e.fields.get("message", "")[:5]) for e in found) == [
        ("alpha", "Faile"),
        ("bravo", "Faile"),
        ("bravo", "hello"),
        ("bravo", "hello"),
    ]
    assert {e.format for e in found} == {"syslog"}


def test_a_sender_in_no_range_is_counted_never_attributed(
    world: World, listening: SyslogThread
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.2", 0))
        udp.sendto(RFC3164, ("127.0.0.1", port(listening, "udp")))
    tcp(port(listening, "tcp"), RFC3164 + b"\n" + RFC5424 + b"\n", source="127.0.0.2")
    tcp(port(listening, "tcp"), RFC5424 + b"\n")  # alpha: the one that gets through
    assert listening.listener is not None
    counts = listening.listener.intake.counts
    wait_for(lambda: counts.unknown_source == 3 and counts.accepted == 1)
    assert [e.member for e in events(world)] == ["alpha"]


def test_octet_counting_and_an_over_long_line_keep_the_connection(
    world: World, listening: SyslogThread
) -> None:
    long_line = b"<13>" + b"x" * 3000 + b"\n"
    framed = b"".join(str(len(m)).encode() + b" " + m for m in (RFC5424, RFC3164))
    tcp(port(listening, "tcp"), long_line + framed + RFC3164 + b"\n")
    assert listening.listener is not None
    counts = listening.listener.intake.counts
    wait_for(lambda: counts.accepted == 3)
    assert counts.refused == 1
    assert len(events(world)) == 3


def test_tls_with_a_self_signed_certificate(world: World, listening: SyslogThread) -> None:
    context = ssl.create_default_context(cafile=world.services.settings.syslog_tls_cert_file)
    context.check_hostname = False
    raw = socket.create_connection(("127.0.0.1", port(listening, "tls")))
    with context.wrap_socket(raw) as secure:
        assert secure.version() in ("TLSv1.2", "TLSv1.3")
        secure.sendall(str(len(RFC5424)).encode() + b" " + RFC5424)
    assert listening.listener is not None
    counts = listening.listener.intake.counts
    wait_for(lambda: counts.accepted == 1)
    assert [e.member for e in events(world)] == ["alpha"]


def test_the_narrowest_range_wins_and_mapped_addresses_count() -> None:
    from shieldwall.config.syslog import SyslogSource

    sources = SourceMap(
        [
            SyslogSource.model_validate({"network": "10.0.0.0/8", "org_id": "bravo"}),
            SyslogSource.model_validate({"network": "10.1.2.0/24", "org_id": "alpha"}),
        ]
    )
    assert sources.member("10.1.2.3") == "alpha"
    assert sources.member("10.9.9.9") == "bravo"
    assert sources.member("::ffff:10.1.2.3") == "alpha"
    assert sources.member("192.0.2.1") is None and sources.member("not an ip") is None


def test_a_range_of_an_unknown_organisation_is_refused_at_start(tmp_path: Path) -> None:
    world = build_world(
        tmp_path, SHIELDWALL_SYSLOG_SOURCES="127.0.0.1/32=ghost", SHIELDWALL_SYSLOG_UDP_PORT="0"
    )
    try:
        with pytest.raises(ConfigError, match="ghost"):
            SyslogThread(world.services)
    finally:
        world.services.close()


def test_up_starts_the_listener_and_stops_it_with_the_server(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shieldwall.server import run

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    settings = world.services.settings.model_copy(
        update={"syslog_udp_port": free, "syslog_tcp_port": None, "syslog_tls_port": None}
    )
    services = dataclasses.replace(world.services, settings=settings)
    seen: list[int] = []

    def fake_uvicorn(*_args: object, **_kwargs: object) -> None:
        """Instead of serving HTTP: send one datagram and wait for it on the bus."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.sendto(RFC5424, ("127.0.0.1", free))
        wait_for(lambda: len(events(world)) == 1)
        seen.append(1)

    monkeypatch.setattr(run.uvicorn, "run", fake_uvicorn)
    assert run.serve(services) is True
    assert seen == [1]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as again:
        again.bind(("127.0.0.1", free))  # the port was released on stop
