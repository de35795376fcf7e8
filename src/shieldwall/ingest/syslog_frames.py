"""Syslog messages out of a TCP stream: RFC 6587 octet counting or one message a line.

A stream may mix both framings message by message: a frame that starts with a digit is
octet-counted (``LEN SP MSG``, as a syslog message itself starts with ``<``), any other is
ended by LF (a CR before it is dropped). A message longer than the limit is refused and
skipped — to its end when it is counted, to the next LF when it is not — and the stream
goes on: one over-long message never costs a sender its connection. The buffer never holds
more than the limit and a few bytes, whatever the sender writes.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_LENGTH_DIGITS = 10


@dataclass(frozen=True, slots=True)
class FrameRefused:
    """A message that was not taken, and why."""

    reason: str


Frame = bytes | FrameRefused


class StreamFramer:
    """Feed it bytes as they arrive; it returns each complete message (or refusal)."""

    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes
        self._buffer = bytearray()
        self._skip = 0
        """Bytes of an over-long counted frame still to discard."""
        self._skip_line = False
        """Discarding an over-long line up to its LF."""

    def feed(self, data: bytes) -> list[Frame]:
        """The frames ``data`` completes, in order."""
        self._buffer += data
        frames: list[Frame] = []
        while self._buffer:
            if not self._discard():
                break
            if not self._buffer:
                break
            frame = self._counted() if self._buffer[:1].isdigit() else self._line()
            if frame is None:
                break
            if frame:
                frames.append(frame)
        return frames

    def _discard(self) -> bool:
        """Drop what belongs to a refused message; False when more input is needed."""
        if self._skip:
            dropped = min(self._skip, len(self._buffer))
            del self._buffer[:dropped]
            self._skip -= dropped
            return not self._skip
        if self._skip_line:
            end = self._buffer.find(b"\n")
            if end < 0:
                self._buffer.clear()
                return False
            del self._buffer[: end + 1]
            self._skip_line = False
        return True

    def _counted(self) -> Frame | None:
        space = self._buffer.find(b" ", 0, MAX_LENGTH_DIGITS + 1)
        if space < 0:
            if len(self._buffer) > MAX_LENGTH_DIGITS or not self._buffer.isdigit():
                return self._refuse_line("octet count is not digits and a space")
            return None
        digits = bytes(self._buffer[:space])
        if not digits.isdigit():
            return self._refuse_line("octet count is not digits and a space")
        length = int(digits)
        if length > self._max:
            del self._buffer[: space + 1]
            self._skip = length
            return FrameRefused(f"message of {length} octets over the limit of {self._max}")
        if len(self._buffer) < space + 1 + length:
            return None
        message = bytes(self._buffer[space + 1 : space + 1 + length])
        del self._buffer[: space + 1 + length]
        return message.rstrip(b"\r\n")

    def _line(self) -> Frame | None:
        end = self._buffer.find(b"\n")
        if end < 0:
            if len(self._buffer) > self._max:
                self._buffer.clear()
                self._skip_line = True
                return FrameRefused(f"line longer than the limit of {self._max} bytes")
            return None
        line = bytes(self._buffer[:end]).rstrip(b"\r")
        del self._buffer[: end + 1]
        if len(line) > self._max:
            return FrameRefused(f"line longer than the limit of {self._max} bytes")
        return line

    def _refuse_line(self, reason: str) -> FrameRefused:
        """A broken count: skip to the next LF, the only boundary left to trust."""
        end = self._buffer.find(b"\n")
        if end < 0:
            self._buffer.clear()
            self._skip_line = True
        else:
            del self._buffer[: end + 1]
        return FrameRefused(reason)


def datagram(data: bytes, max_bytes: int) -> Frame:
    """A UDP datagram is one message (RFC 5426); a trailing line end is dropped."""
    if len(data) > max_bytes:
        return FrameRefused(f"datagram of {len(data)} bytes over the limit of {max_bytes}")
    return data.rstrip(b"\r\n")
