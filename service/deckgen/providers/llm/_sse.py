"""A lean text/event-stream splitter: the `data` of each event, straight from the body's bytes.

A model streams one small event per token, so this runs thousands of times per deck. The SDK's
and httpx's line iterators decode text and build objects per line; this keeps bytes (json.loads
reads UTF-8 bytes itself), splits a whole network read at once and skips every field but `data`,
which is all a chat completion stream uses.
"""

from __future__ import annotations

__all__ = ["SSESplitter", "StreamTooLarge"]

# An event this big is not a token: a broken or hostile server, not worth buffering.
_MAX_PENDING = 8 * 1024 * 1024


class StreamTooLarge(ValueError):
    """An event grew beyond what any chat completion chunk needs."""


class SSESplitter:
    """Feed body bytes as they arrive; get back the data of every event they complete.

    Lines may end in LF, CRLF or CR (the event-stream grammar allows all three); several `data`
    lines of one event are joined with LF; comments and other fields are skipped.
    """

    __slots__ = ("_cr", "_data", "_pending")

    def __init__(self) -> None:
        self._pending = b""
        self._data: list[bytes] = []
        self._cr = False

    def feed(self, chunk: bytes) -> list[bytes]:
        if self._cr and chunk.startswith(b"\n"):
            chunk = chunk[1:]  # the LF of a CRLF split across two reads
        self._cr = chunk.endswith(b"\r")
        if b"\r" in chunk:
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        *lines, self._pending = (self._pending + chunk).split(b"\n")
        if len(self._pending) > _MAX_PENDING:
            raise StreamTooLarge(f"an event of more than {_MAX_PENDING} bytes")
        events: list[bytes] = []
        data = self._data
        for line in lines:
            if not line:
                if data:
                    events.append(data[0] if len(data) == 1 else b"\n".join(data))
                    data = self._data = []
            elif line.startswith(b"data:"):
                data.append(line[6:] if line.startswith(b"data: ") else line[5:])
        return events
