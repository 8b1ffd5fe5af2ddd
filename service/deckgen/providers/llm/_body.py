"""Reading a streamed reply's body: from aiohttp's buffer, and on plain TCP at the pace of a shared tick.

A model streams one small event per token, each in a TCP segment of its own. Read as they arrive,
a 10-slide deck wakes the event loop about 1,500 times, and on the virtual machines we run on one
wake from idle costs 0.1-0.2 ms of CPU: more than everything else the token needs. So while a
stream is held its socket's receive low-water mark (SO_RCVLOWAT) is raised: the kernel keeps what
arrives without reporting the socket readable, so the loop is not woken, and the transport stays
as it was (pausing it instead costs two epoll_ctl calls per read, and libuv disarms a paused socket
lazily: the next token wakes the loop only to be unregistered). One loop timer shared by every
stream fires every `interval` seconds; it lowers the mark again on the held sockets that have data
(FIONREAD), and the kernel then reports them readable, so each is read once with every token that
arrived meanwhile. A hang-up or an error is reported whatever the mark. A token waits at most
`interval` longer; the loop wakes 1/`interval` times a second for reading whatever the number of
streams. The interval is the longer of the adapter's (LLM_READ_INTERVAL, every read) and the
caller's per-read hint (`ReadPace`: long in the middle of a slide's JSON, 0 where the next token may
close it); each interval has a timer of its own.

A reply the caller wants only whole (a slide's, which ends with the object it waits for) can do
without the timer: when the server has agreed to close the connection after it, its socket keeps
the mark for the whole reply, and the loop wakes at the hang-up (a FIN is reported whatever the
mark), or each time `_LOW_WATER` bytes have gathered, which also bounds the wait for a model that
goes on writing after the object. A 10-slide deck's loop then wakes about a third less often. A
slow model can leave the mark unreached for longer than the stream may stay silent: the time limit
asks (`unread`) before it ends the wait, and what waits in the kernel is read then, so that a
stream that stalls is still cut with the text it sent.

Only TCP sockets are held (Unix sockets ignore the mark when polled). TLS connections are read as
data arrives: the TLS layer reads the socket into a buffer of its own, and holding it back from
that layer would stall the record it is in the middle of.
"""

from __future__ import annotations

import array
import asyncio
import fcntl
import os
import socket
import termios
import weakref
from collections.abc import AsyncIterator
from typing import Any, Protocol

import aiohttp
import httpx2
from openai._vendor.httpx_aiohttp.transport import AiohttpResponseStream, map_aiohttp_exceptions

__all__ = ["BodyReader", "open_body"]


class _Socket(Protocol):
    """A connection's socket as its transport lends it: asyncio's TransportSocket or uvloop's."""

    def fileno(self) -> int: ...
    def setsockopt(self, level: int, option: int, value: int, /) -> None: ...


# Bytes a held socket may gather before the kernel reports it readable anyway. Small enough that
# raising the mark never grows the receive buffer (the kernel would then clamp the window), large
# enough that a model streaming at thousands of tokens a second still waits for the tick.
_LOW_WATER = 16 * 1024

# Streams one tick releases at most: a tick that released hundreds at once would read them all in
# one turn of the loop, and every other stream's events would wait behind it. Beyond this many, a
# stream is held by the ticker of another phase (the same interval, offset by a fraction of it), so
# a burst of decks is read in small groups spread over the interval; beyond `_PHASES` full tickers
# reads go ahead as data arrives (the loop is then so busy that every wake finds several tokens).
_CROWD = 32
_PHASES = 16


def _low_water(sock: _Socket, size: int) -> bool:
    """Set `sock`'s receive low-water mark; False if the socket has gone (closed meanwhile)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, size)
    except (OSError, ValueError):
        return False
    return True


_COUNT = array.array("i", [0])  # FIONREAD's answer; the loop's thread is its only user


def _has_data(fd: int) -> bool:
    try:
        fcntl.ioctl(fd, termios.FIONREAD, _COUNT)
    except OSError:
        return True  # gone or in error: let its transport find out
    return _COUNT[0] > 0


class _Ticker:
    """One timer for every held stream of a loop, armed only while one of them waits."""

    def __init__(self, loop: asyncio.AbstractEventLoop, interval: float, offset: float = 0.0) -> None:
        self._loop = loop
        self._interval = interval
        self._offset = offset
        self._held: dict[int, _Socket] = {}
        self._handle: asyncio.TimerHandle | None = None
        self._slot = 0.0  # the grid slot of the last timer armed

    @property
    def crowded(self) -> bool:
        """As many streams as one tick should release: another goes to a ticker of another phase."""
        return len(self._held) >= _CROWD

    def hold(self, fd: int, sock: _Socket) -> bool:
        """Keep what arrives on `sock` (descriptor `fd`) from waking the loop until the first tick
        that finds data there (a hang-up or an error wakes it at once). False if it cannot be held.

        Its reader then gets the data as ever, from the transport's protocol: the tick wakes no task.
        """
        if not _low_water(sock, _LOW_WATER):
            return False
        self._held[fd] = sock
        if self._handle is None:
            self._arm()
        return True

    def release(self, fd: int) -> None:
        """Let `fd`'s data wake the loop again (at once if some is there), if the ticker holds it."""
        sock = self._held.pop(fd, None)
        if sock is not None:
            _low_water(sock, 1)

    def _arm(self) -> None:
        # On a grid, so that streams started at different times still share every wake. Always a
        # later slot than the last: uvloop runs timers up to a millisecond early (libuv rounds to
        # milliseconds), and re-arming from the clock alone would then wake twice per slot.
        now = self._loop.time() - self._offset
        self._slot = max(now // self._interval + 1, self._slot + 1)
        self._handle = self._loop.call_at(self._slot * self._interval + self._offset, self._tick)

    def _tick(self) -> None:
        self._handle = None
        for fd in [fd for fd in self._held if _has_data(fd)]:
            self.release(fd)
        if self._held:
            self._arm()


_tickers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[float, list[_Ticker]]] = (
    weakref.WeakKeyDictionary()
)

# Each new phase halves the largest gap between the ticks already there: 0, 1/2, 1/4, 3/4, …
_PHASE_ORDER = (0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15)


def _ticker(interval: float) -> _Ticker | None:
    """The first ticker of `interval` with room for one more stream (None: all are crowded)."""
    loop = asyncio.get_running_loop()
    phases = _tickers.setdefault(loop, {}).setdefault(interval, [])
    for ticker in phases:
        if not ticker.crowded:
            return ticker
    if len(phases) == _PHASES:
        return None
    ticker = _Ticker(loop, interval, interval * _PHASE_ORDER[len(phases)] / _PHASES)
    phases.append(ticker)
    return ticker


class BodyReader:
    """`await read()`: the body bytes that arrived since the last read; b"" once the body has ended.

    `hold`: the caller does not mind waiting up to that long for what arrives next (see `_Ticker`).
    Errors are httpx2's (as the SDK's own iterators raise them), whatever the transport.
    """

    async def read(self, hold: float = 0.0) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        """Let go of what the reader keeps of the connection (the response is the caller's to close)."""

    def unread(self) -> bool:
        """Whether the server sent what this reader has left unread on purpose (a reply held to its
        end); if so, it is let through to the next read."""
        return False


class _Iterated(BodyReader):
    """Any other transport: the response's own byte iterator."""

    def __init__(self, response: httpx2.Response) -> None:
        self._chunks: AsyncIterator[bytes] = aiter(response.aiter_bytes())

    async def read(self, hold: float = 0.0) -> bytes:
        try:
            return await anext(self._chunks)
        except StopAsyncIteration:
            return b""


def _take(content: Any) -> bytes:
    """Everything `content` (aiohttp's StreamReader) holds now, joined at once.

    Its own reads take a streamed reply one HTTP chunk (one token) at a time, asking the connection
    to resume reading after each, which runs its parser on nothing: a slide read whole holds a
    hundred of them. This is the same bookkeeping once per read (aiohttp is pinned; the tests
    check the reader's state against aiohttp's own after every read)."""
    content._timer.assert_timeout()
    buffer = content._buffer
    if not buffer:
        return b""
    data = b"".join(buffer)
    offset = content._buffer_offset
    if offset:
        data = data[offset:]
        content._buffer_offset = 0
    buffer.clear()
    size = len(data)
    content._size -= size
    cursor = content._cursor = content._cursor + size
    splits = content._http_chunk_splits
    while splits and splits[0] < cursor:
        splits.popleft()
    if content._size < content._low_water and (splits is None or len(splits) < content._low_water_chunks):
        content._protocol.resume_reading()
    return data


async def _any(content: Any) -> bytes:
    """`content.readany()`: waits for data (or the end, or an error), then takes it all."""
    if content._exception is not None:
        raise content._exception
    while not content._buffer and not content._eof:
        await content._wait("readany")
    return _take(content)


class _Aiohttp(BodyReader):
    """aiohttp's buffer read directly: the SDK's and httpx2's iterator layers cost CPU per token."""

    def __init__(
        self,
        content: aiohttp.StreamReader,
        transport: asyncio.BaseTransport | None,
        sock: socket.socket | None,
        interval: float,
        whole: bool = False,
    ) -> None:
        self._content = content
        self._transport = transport
        # A descriptor of our own for the connection's socket (None: never held, TLS or not TCP).
        # The transport lends its socket as a stand-in (uvloop's) that builds and detaches a
        # socket object for every option set, twice per held read; ours also keeps its number
        # while held, should the connection close meanwhile.
        self._sock = sock
        self._fd = sock.fileno() if sock is not None else -1
        self._interval = interval
        self._whole = whole
        self._marked = False
        """The mark is up for the rest of the reply (`whole`)."""

    def unread(self) -> bool:
        if not self._marked or self._sock is None or not _has_data(self._fd):
            return False
        self._marked = not _low_water(self._sock, 1)  # the next read raises it again
        return True

    def close(self) -> None:
        if self._sock is not None:
            if self._marked:
                _low_water(self._sock, 1)  # should the connection be reused after all
            self._sock.close()
            self._sock = None

    async def read(self, hold: float = 0.0) -> bytes:
        content = self._content
        try:
            if content._exception is not None:
                raise content._exception
            data = _take(content)
            if data or content.at_eof():
                return data
            sock = self._sock
            interval = hold if hold > self._interval else self._interval
            if sock is None or self._transport is None or self._transport.is_closing():
                return await _any(content)
            if self._whole:
                if not self._marked:
                    self._marked = _low_water(sock, _LOW_WATER)
                return await _any(content)
            if interval <= 0:
                return await _any(content)
            ticker = _ticker(interval)
            if ticker is None or not ticker.hold(self._fd, sock):
                return await _any(content)
            try:
                return await _any(content)
            finally:
                # Never back to the connection pool held, whatever ended the wait.
                ticker.release(self._fd)
        except Exception:
            # The SDK's own translation, as its iterator would have raised them; entered only on
            # errors (a context manager around every read costs more than the read).
            with map_aiohttp_exceptions():
                raise


def open_body(response: httpx2.Response, interval: float, *, whole: bool = False) -> BodyReader:
    """A reader of `response`'s body, paced by a tick every `interval` s (or a read's longer `hold`)
    where that saves wakes (0: as data arrives); `whole`: read when the server closes the connection
    after the reply, which it said it would."""
    stream: Any = response.stream
    if isinstance(stream, httpx2._client.BoundAsyncStream):
        stream = stream._stream  # httpx2's wrapper, which only times the response
    # The SDK's aiohttp transport (DefaultAioHttpClient): its response is under its byte stream.
    raw = stream._aiohttp_response if isinstance(stream, AiohttpResponseStream) else None
    if not isinstance(raw, aiohttp.ClientResponse):
        return _Iterated(response)
    connection = raw.connection
    transport = connection.transport if connection is not None else None
    sock: Any = transport.get_extra_info("socket") if transport is not None else None
    tcp = (
        transport is not None
        and transport.get_extra_info("sslcontext") is None
        and sock is not None
        and sock.family in (socket.AF_INET, socket.AF_INET6)
        and sock.type == socket.SOCK_STREAM
    )
    own = socket.socket(sock.family, sock.type, sock.proto, os.dup(sock.fileno())) if tcp else None
    return _Aiohttp(raw.content, transport, own, interval, whole)
