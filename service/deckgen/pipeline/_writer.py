"""Appends one generation's events to its log in order, several per round trip.

A generation publishes events one after another (progress, outline items, slides…). Awaiting each
append would put one round trip to Redis between every two events and in front of every slide;
instead `put` queues the event and returns, and one writer task appends whatever has queued up
meanwhile in a single call. The first event of a burst leaves at once (one loop turn), the rest
ride along with the next call, so readers get each event as soon as one round trip allows.
"""

from __future__ import annotations

import asyncio
import time

from deckgen.domain._events import Event
from deckgen.providers.queue import EventLog

__all__ = ["EventWriter"]

_MOST_QUEUED = 256
"""Events queued before `put` waits for the log to catch up (a slow or unreachable Redis)."""


class EventWriter:
    def __init__(self, log: EventLog, stream: str, fence: str) -> None:
        self._log = log
        self._stream = stream
        self._fence = fence
        self._queued: list[tuple[Event, float]] = []
        self._writing: asyncio.Task[None] | None = None
        self.error: BaseException | None = None
        """What stopped the writer (the stream was fenced, Redis went away…); nothing is appended
        after it, and every later `put` or `flush` raises it."""

    async def put(self, event: Event) -> None:
        """Queue `event` behind the ones before it; raises what stopped an earlier append."""
        self._raise()
        self._queued.append((event, time.time()))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write(), name=f"events:{self._stream}")
        if len(self._queued) >= _MOST_QUEUED:
            await self.flush()
        else:
            await asyncio.sleep(0)  # the writer sends what is queued now, while the caller goes on

    async def flush(self) -> None:
        """Wait until every queued event is in the log (or raise why it cannot be)."""
        while self._writing is not None and not self._writing.done():
            # A cancelled caller must not cancel the writer: the events stay in order for whoever
            # flushes next (the end of the generation, or its hand-back).
            await asyncio.shield(self._writing)
        self._raise()

    async def append(self, event: Event) -> None:
        """Queue `event` and wait until it is in the log."""
        await self.put(event)
        await self.flush()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    async def _write(self) -> None:
        try:
            while self._queued:
                batch, self._queued = self._queued, []
                await self._log.append_many(self._stream, batch, fence=self._fence)
        except Exception as error:  # kept for the publisher, who decides what it means
            self.error = error
            self._queued.clear()
