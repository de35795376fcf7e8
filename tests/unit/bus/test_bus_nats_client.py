"""The NATS bus reads the headers of its own inboxes' messages as raw bytes: the same
values nats-py's header parser gives, without a dict per message."""

from __future__ import annotations

import pytest
from nats.aio.client import Client

from shieldwall.bus.nats_client import header, status

DELIVERED = b"NATS/1.0\r\nNats-Msg-Id:  k-1 \r\nNats-Expected-Stream: S\r\n\r\n"


@pytest.mark.parametrize(
    ("block", "name", "value"),
    [
        (DELIVERED, b"Nats-Msg-Id", "k-1"),
        (DELIVERED, b"Nats-Expected-Stream", "S"),
        (DELIVERED, b"Nats-Msg", ""),
        (b"NATS/1.0\r\nNats-Msg-Id-2: x\r\n\r\n", b"Nats-Msg-Id", ""),
        ("NATS/1.0\r\nNats-Msg-Id: ключ\r\n\r\n".encode(), b"Nats-Msg-Id", "ключ"),
        (b"NATS/1.0\r\nNats-Msg-Id: a\xffb\r\n\r\n", b"Nats-Msg-Id", "a\ufffdb"),
        (None, b"Nats-Msg-Id", ""),
    ],
)
def test_a_header_reads_as_nats_py_reads_it(block: bytes | None, name: bytes, value: str) -> None:
    parsed = Client._parse_header_lines(block[len(b"NATS/1.0\r\n") :]) if block else {}

    assert header(block, name) == value == parsed.get(name.decode(), "")


@pytest.mark.parametrize(
    ("block", "code"),
    [
        (b"NATS/1.0 404 No Messages\r\n\r\n", "404"),
        (b"NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 2\r\n\r\n", "408"),
        (b"NATS/1.0 503\r\n\r\n", "503"),
        (DELIVERED, ""),
        (None, ""),
    ],
)
def test_a_status_is_read_from_the_first_line(block: bytes | None, code: str) -> None:
    assert status(block) == code
