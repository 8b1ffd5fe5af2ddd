"""Reading a streamed reply's body: from aiohttp's buffer, and on plain TCP at the pace of a shared tick.

A model streams one small event per token, each in a TCP segment of its own. Read as they arrive,
a 10-slide deck wakes the event loop about 1,500 times, and on the virtual machines we run on one
wake from idle costs 0.1-0.2 ms of CPU: more than everything else the token needs. So between reads
the connection's transport is paused (the kernel keeps what arrives), and one loop timer shared by
every stream fires every `interval` seconds: a single poll(2) over the paused sockets finds those
with data, and only they are resumed and read, each getting every token that arrived meanwhile. A
token waits at most `interval` longer; the loop wakes 1/`interval` times a second for reading
whatever the number of streams. The interval is the longer of the adapter's (LLM_READ_INTERVAL,
every read) and the caller's per-read hint (`ReadPace`: long in the middle of a slide's JSON, 0
where the next token may close it); each interval has a timer of its own.

TLS connections are read as data arrives: the TLS layer keeps reading the socket into a buffer of
its own while the application side is paused, so pausing would save no wake, and a poll of the
socket would not see what that buffer holds.
"""

from __future__ import annotations

import asyncio
import select
import weakref
from collections.abc import AsyncIterator
from typing import Any, Protocol

import aiohttp
import httpx2
from openai._vendor.httpx_aiohttp.transport import AiohttpResponseStream, map_aiohttp_exceptions

__all__ = ["BodyReader", "open_body"]


class _Pausable(Protocol):
    """A connection's transport: asyncio's own, or uvloop's (which is not registered as one)."""

    def pause_reading(self) -> None: ...
    def resume_reading(self) -> None: ...
    def is_closing(self) -> bool: ...
    def get_extra_info(self, name: str, default: Any = None) -> Any: ...


# Streams held by one ticker beyond which new reads go ahead as data arrives: with this many at
# once (a burst of decks) the loop is busy and every wake finds several tokens anyway, while a tick
# resuming hundreds of transports at once delays every one of them.
_CROWD = 32


class _Ticker:
    """One timer for every paced stream of a loop, armed only while one of them waits."""

    def __init__(self, loop: asyncio.AbstractEventLoop, interval: float) -> None:
        self._loop = loop
        self._interval = interval
        self._poll = select.poll()  # registering is bookkeeping only: one system call per tick
        self._paused: dict[int, _Pausable] = {}
        self._handle: asyncio.TimerHandle | None = None
        self._slot = 0.0  # the grid slot of the last timer armed

    @property
    def crowded(self) -> bool:
        """Enough streams wait that reads coalesce by themselves: holding more only delays them."""
        return len(self._paused) >= _CROWD

    def hold(self, fd: int, transport: _Pausable) -> None:
        """Pause `transport` until the first tick that finds `fd` readable (or hung up, or in error).

        Its reader then gets the data as ever, from the transport's protocol: the tick wakes no task.
        """
        transport.pause_reading()
        self._paused[fd] = transport
        self._poll.register(fd, select.POLLIN | select.POLLPRI)
        if self._handle is None:
            self._arm()

    def release(self, fd: int) -> None:
        """Resume `fd`'s transport now, if the ticker still holds it."""
        transport = self._paused.pop(fd, None)
        if transport is not None:
            self._poll.unregister(fd)
            transport.resume_reading()

    def _arm(self) -> None:
        # On a grid, so that streams started at different times still share every wake. Always a
        # later slot than the last: uvloop runs timers up to a millisecond early (libuv rounds to
        # milliseconds), and re-arming from the clock alone would then wake twice per slot.
        now = self._loop.time()
        self._slot = max(now // self._interval + 1, self._slot + 1)
        self._handle = self._loop.call_at(self._slot * self._interval, self._tick)

    def _tick(self) -> None:
        self._handle = None
        for fd, _ in self._poll.poll(0):
            self.release(fd)
        if self._paused:
            self._arm()


_tickers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[float, _Ticker]] = (
    weakref.WeakKeyDictionary()
)


def _ticker(interval: float) -> _Ticker:
    loop = asyncio.get_running_loop()
    by_interval = _tickers.setdefault(loop, {})
    ticker = by_interval.get(interval)
    if ticker is None:
        ticker = by_interval[interval] = _Ticker(loop, interval)
    return ticker


class BodyReader:
    """`await read()`: the body bytes that arrived since the last read; b"" once the body has ended.

    `hold`: the caller does not mind waiting up to that long for what arrives next (see `_Ticker`).
    Errors are httpx2's (as the SDK's own iterators raise them), whatever the transport.
    """

    async def read(self, hold: float = 0.0) -> bytes:
        raise NotImplementedError


class _Iterated(BodyReader):
    """Any other transport: the response's own byte iterator."""

    def __init__(self, response: httpx2.Response) -> None:
        self._chunks: AsyncIterator[bytes] = aiter(response.aiter_bytes())

    async def read(self, hold: float = 0.0) -> bytes:
        try:
            return await anext(self._chunks)
        except StopAsyncIteration:
            return b""


class _Aiohttp(BodyReader):
    """aiohttp's buffer read directly: the SDK's and httpx2's iterator layers cost CPU per token."""

    def __init__(
        self,
        content: aiohttp.StreamReader,
        transport: _Pausable | None,
        fd: int,
        interval: float,
    ) -> None:
        self._content = content
        self._transport = transport  # None: never paused (TLS, or no socket of its own)
        self._fd = fd
        self._interval = interval

    async def read(self, hold: float = 0.0) -> bytes:
        content = self._content
        try:
            data = content.read_nowait()
            if data or content.at_eof():
                return data
            transport = self._transport
            interval = hold if hold > self._interval else self._interval
            if interval <= 0 or transport is None or transport.is_closing():
                return await content.readany()
            ticker = _ticker(interval)
            if ticker.crowded:
                return await content.readany()
            ticker.hold(self._fd, transport)
            try:
                return await content.readany()
            finally:
                # Never back to the connection pool paused, whatever ended the wait.
                ticker.release(self._fd)
        except Exception:
            # The SDK's own translation, as its iterator would have raised them; entered only on
            # errors (a context manager around every read costs more than the read).
            with map_aiohttp_exceptions():
                raise


def open_body(response: httpx2.Response, interval: float) -> BodyReader:
    """A reader of `response`'s body, paced by a tick every `interval` s (or a read's longer `hold`)
    where that saves wakes (0: as data arrives)."""
    stream: Any = response.stream
    if isinstance(stream, httpx2._client.BoundAsyncStream):
        stream = stream._stream  # httpx2's wrapper, which only times the response
    # The SDK's aiohttp transport (DefaultAioHttpClient): its response is under its byte stream.
    raw = stream._aiohttp_response if isinstance(stream, AiohttpResponseStream) else None
    if not isinstance(raw, aiohttp.ClientResponse):
        return _Iterated(response)
    connection = raw.connection
    transport: Any = connection.transport if connection is not None else None
    fd = -1
    pausable: _Pausable | None = None
    if callable(getattr(transport, "pause_reading", None)) and transport.get_extra_info("sslcontext") is None:
        sock = transport.get_extra_info("socket")
        fd = sock.fileno() if sock is not None else -1
        pausable = transport if fd >= 0 else None
    return _Aiohttp(raw.content, pausable, fd, interval)
