"""Appends one generation's events to its log in order, several per round trip.

A generation publishes events one after another (progress, outline items, slides…). Awaiting each
append would put one round trip to Redis between every two events and in front of every slide;
instead `put` queues the event and returns, and one writer task appends whatever has queued up
meanwhile in a single call.

With a `linger`, an event that nobody waits for (a progress step, an outline item) also waits up to
that long for the ones after it, unless something is flushed first. Each call to Redis costs the
event loop a few hundred microseconds of CPU, about what a fast generation spends between two such
events: sent one by one, they would slow the generation (and its first slide) down by as much as
the whole of its work in between. What callers wait for (`append`, `flush`) leaves at once, taking
whatever was queued before it along.
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
    def __init__(self, log: EventLog, stream: str, fence: str, linger: float = 0.0) -> None:
        self._log = log
        self._stream = stream
        self._fence = fence
        self._linger = linger
        self._queued: list[tuple[Event, float]] = []
        self._writing: asyncio.Task[None] | None = None
        self._hurry = asyncio.Event()
        """Set while someone waits for the queued events: they leave without lingering."""
        self._flushing = 0
        self._before: asyncio.Future[None] | None = None
        # A log that appends without waiting (in memory) takes an awaited event from its publisher
        # directly when nothing is queued before it. Handing it to the writer's task costs a turn
        # of the loop, and on a busy loop a turn is everything else ready at the time: tens of
        # milliseconds between a slide written and its event. A log doing I/O keeps the task,
        # whose append finishes even if the publisher is cancelled meanwhile.
        self._at_once: bool = getattr(log, "appends_at_once", False)
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
            await asyncio.sleep(0)  # the writer starts on what is queued now, while the caller goes on

    async def flush(self) -> None:
        """Wait until every queued event is in the log (or raise why it cannot be)."""
        self._flushing += 1
        self._hurry.set()
        try:
            while self._writing is not None and not self._writing.done():
                # A cancelled caller must not cancel the writer: the events stay in order for whoever
                # flushes next (the end of the generation, or its hand-back).
                await asyncio.shield(self._writing)
        finally:
            self._flushing -= 1
        self._raise()

    async def append(self, event: Event) -> None:
        """Queue `event` and wait until it is in the log."""
        self._raise()
        if self._at_once and self._idle():
            try:
                await self._log.append_many(self._stream, [(event, time.time())], fence=self._fence)
            except Exception as error:
                self.error = error
                raise
            return
        await self.put(event)
        await self.flush()

    def _idle(self) -> bool:
        """Nothing queued, being written or waited for: an event appended now keeps its order."""
        return not self._queued and (self._writing is None or self._writing.done()) and self._before is None

    def after(self, step: asyncio.Future[None]) -> None:
        """Append nothing before `step` is done, and nothing at all if it fails (its error is then
        the writer's)."""
        self._before = step

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    async def _write(self) -> None:
        try:
            while self._queued:
                if self._linger and not self._flushing:
                    await self._lingering()
                if self._before is not None:
                    await asyncio.shield(self._before)
                    self._before = None
                batch, self._queued = self._queued, []
                await self._log.append_many(self._stream, batch, fence=self._fence)
        except Exception as error:  # kept for the publisher, who decides what it means
            self.error = error
            self._queued.clear()

    async def _lingering(self) -> None:
        """Until `linger` has passed or someone flushes, whichever is first."""
        self._hurry.clear()
        timer = asyncio.get_running_loop().call_later(self._linger, self._hurry.set)
        try:
            await self._hurry.wait()
        finally:
            timer.cancel()
