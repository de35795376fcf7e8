"""RFC 6587 framing: counted and line frames, over-long ones refused, the stream goes on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shieldwall.ingest.syslog_frames import FrameRefused, StreamFramer, datagram

MSG = st.binary(min_size=1, max_size=40).filter(lambda b: b"\n" not in b and not b[:1].isdigit())


def counted(message: bytes) -> bytes:
    return str(len(message)).encode() + b" " + message


def test_lines_and_counted_frames_mix() -> None:
    framer = StreamFramer(100)
    assert framer.feed(b"<13>a\r\n" + counted(b"<13>b\nc") + b"<13>d\n\n") == [
        b"<13>a",
        b"<13>b\nc",
        b"<13>d",
    ]


def test_an_over_long_line_is_refused_and_the_next_one_read() -> None:
    framer = StreamFramer(10)
    first = framer.feed(b"<13>" + b"x" * 20)
    assert len(first) == 1 and isinstance(first[0], FrameRefused)
    assert framer.feed(b"still the long one\n<13>ok\n") == [b"<13>ok"]


def test_an_over_long_counted_frame_is_skipped_by_its_count() -> None:
    framer = StreamFramer(10)
    frames = framer.feed(counted(b"<13>" + b"y" * 30)[:15])
    assert isinstance(frames[0], FrameRefused) and "34 octets" in frames[0].reason
    assert framer.feed(counted(b"<13>" + b"y" * 30)[15:] + counted(b"<13>z")) == [b"<13>z"]


def test_a_broken_count_skips_to_the_next_line() -> None:
    framer = StreamFramer(100)
    frames = framer.feed(b"12x34 junk\n<13>ok\n")
    assert isinstance(frames[0], FrameRefused) and frames[1:] == [b"<13>ok"]


def test_datagrams_over_the_limit_are_refused() -> None:
    assert datagram(b"<13>hi\n", 10) == b"<13>hi"
    assert isinstance(datagram(b"x" * 11, 10), FrameRefused)


@given(
    st.lists(st.tuples(MSG, st.booleans()), max_size=20),
    st.lists(st.integers(min_value=1, max_value=30), max_size=40),
)
def test_any_split_of_the_stream_gives_the_same_messages(
    messages: list[tuple[bytes, bool]], cuts: list[int]
) -> None:
    stream = b"".join(counted(m) if c else m + b"\n" for m, c in messages)
    framer = StreamFramer(64)
    got: list[object] = []
    at = 0
    for cut in cuts:
        got += framer.feed(stream[at : at + cut])
        at += cut
    got += framer.feed(stream[at:])
    expected = [m.rstrip(b"\r\n") if c else m.rstrip(b"\r") for m, c in messages]
    assert got == [m for m in expected if m]  # an empty message is no message


@given(st.binary(max_size=300), st.lists(st.integers(min_value=1, max_value=50), max_size=20))
def test_any_bytes_never_grow_the_buffer_past_the_limit(data: bytes, cuts: list[int]) -> None:
    framer = StreamFramer(32)
    at = 0
    for cut in [*cuts, len(data)]:
        for frame in framer.feed(data[at : at + cut]):
            assert isinstance(frame, FrameRefused) or len(frame) <= 32
        at += cut
        assert len(framer._buffer) <= 32 + 12
