"""In-process records, readers and cancel signals, each entry kept for a bounded time."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from typing import Generic, TypeVar

from deckgen.domain import DeckgenError, Presentation
from deckgen.providers.state._base import READER_LEASE, RequestBinding

__all__ = ["MemoryCancelSignals", "MemoryReaders", "MemoryRecords", "TTLMap"]

V = TypeVar("V")


class TTLMap(Generic[V]):
    """A map whose entries lapse `ttl` s after they were last written, holding at most `max_entries`."""

    def __init__(self, ttl: float, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self._ttl = ttl
        self._max = max_entries
        self._clock = clock

    def _expire(self) -> None:
        now = self._clock()
        # Entries are in write order, so the oldest are first.
        while self._entries:
            key, (expires, _) = next(iter(self._entries.items()))
            if expires > now and len(self._entries) <= self._max:
                break
            del self._entries[key]

    def get(self, key: str) -> V | None:
        self._expire()
        entry = self._entries.get(key)
        return None if entry is None else entry[1]

    def set(self, key: str, value: V) -> None:
        self._entries[key] = (self._clock() + self._ttl, value)
        self._entries.move_to_end(key)
        self._expire()

    def pop(self, key: str) -> V | None:
        entry = self._entries.pop(key, None)
        return None if entry is None else entry[1]

    def __len__(self) -> int:
        self._expire()
        return len(self._entries)


class MemoryRecords:
    def __init__(self, retention: float, max_entries: int = 100_000) -> None:
        self._presentations: TTLMap[Presentation] = TTLMap(retention, max_entries)
        self._requests: TTLMap[RequestBinding] = TTLMap(retention, max_entries)

    async def put(self, presentation: Presentation) -> None:
        self._presentations.set(presentation.id, presentation)

    async def get(self, presentation_id: str) -> Presentation | None:
        return self._presentations.get(presentation_id)

    async def bind_request(self, request_id: str, binding: RequestBinding) -> RequestBinding | None:
        known = self._requests.get(request_id)
        if known is not None:
            return known
        self._requests.set(request_id, binding)
        return None

    async def request(self, request_id: str) -> RequestBinding | None:
        return self._requests.get(request_id)

    async def unbind_request(self, request_id: str, presentation_id: str) -> None:
        known = self._requests.get(request_id)
        if known is not None and known.presentation_id == presentation_id:
            self._requests.pop(request_id)


class MemoryReaders:
    def __init__(self, lease: float = READER_LEASE, clock: Callable[[], float] = time.monotonic) -> None:
        self._streams: dict[str, dict[str, float]] = {}
        self._lease = lease
        self._clock = clock

    def _live(self, stream: str) -> dict[str, float]:
        now = self._clock()
        readers = {r: t for r, t in self._streams.get(stream, {}).items() if t > now}
        if readers:
            self._streams[stream] = readers
        else:
            self._streams.pop(stream, None)
        return readers

    async def attach(self, stream: str, reader: str) -> None:
        self._streams.setdefault(stream, {})[reader] = self._clock() + self._lease

    async def detach(self, stream: str, reader: str) -> int:
        self._streams.get(stream, {}).pop(reader, None)
        return len(self._live(stream))

    async def count(self, stream: str) -> int:
        return len(self._live(stream))


class MemoryCancelSignals:
    def __init__(self, retention: float = 3600.0) -> None:
        self._cancelled: TTLMap[DeckgenError] = TTLMap(retention, 100_000)
        self._listeners: set[asyncio.Queue[str]] = set()

    async def send(self, job_id: str, cancellation: DeckgenError) -> None:
        self._cancelled.set(job_id, cancellation)
        for listener in self._listeners:
            listener.put_nowait(job_id)

    async def get(self, job_id: str) -> DeckgenError | None:
        return self._cancelled.get(job_id)

    async def listen(self) -> AsyncIterator[str]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._listeners.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._listeners.discard(queue)
