"""In-process event log and job queue: the embedded defaults for a single process."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field

from deckgen.domain import CapacityExceeded
from deckgen.domain._events import Event, SequencedEvent
from deckgen.providers.queue._base import Job, JobRunner, StreamNotFound

__all__ = ["InProcessJobQueue", "MemoryEventLog"]


@dataclass(slots=True)
class _Stream:
    events: list[SequencedEvent] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    finished_at: float | None = None


class MemoryEventLog:
    """Streams kept in memory; a finished stream is dropped `retention` seconds after its last event."""

    def __init__(self, retention: float = 3600.0, clock: Callable[[], float] = time.time) -> None:
        self._streams: dict[str, _Stream] = {}
        self._retention = retention
        self._clock = clock

    def _expire(self) -> None:
        now = self._clock()
        expired = [
            name
            for name, stream in self._streams.items()
            if stream.finished_at is not None and now - stream.finished_at > self._retention
        ]
        for name in expired:
            del self._streams[name]

    async def create(self, stream: str) -> None:
        self._expire()
        if stream in self._streams:
            raise ValueError(f"stream {stream!r} exists")
        self._streams[stream] = _Stream()

    async def append(self, stream: str, event: Event) -> SequencedEvent:
        try:
            state = self._streams[stream]
        except KeyError:
            raise StreamNotFound(stream) from None
        if state.finished_at is not None:
            raise ValueError(f"stream {stream!r} has ended")
        sequenced = SequencedEvent(len(state.events) + 1, self._clock(), event)
        state.events.append(sequenced)
        if sequenced.terminal:
            state.finished_at = sequenced.time
        # Wake every reader, then give the next appends a fresh event to wait on.
        state.changed.set()
        state.changed = asyncio.Event()
        return sequenced

    async def read(self, stream: str, after: int = 0) -> AsyncGenerator[SequencedEvent]:
        state = self._streams.get(stream)
        if state is None:
            raise StreamNotFound(stream)
        position = max(after, 0)
        while True:
            changed = state.changed
            while position < len(state.events):
                event = state.events[position]
                position += 1
                yield event
                if event.terminal:
                    return
            if state.finished_at is not None:
                return
            await changed.wait()

    async def exists(self, stream: str) -> bool:
        self._expire()
        return stream in self._streams


class InProcessJobQueue:
    """Runs each job as an asyncio task, at most `max_concurrent` at once; more are refused."""

    def __init__(self, runner: JobRunner, max_concurrent: int) -> None:
        self._runner = runner
        self._max = max_concurrent
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    async def submit(self, job: Job) -> None:
        if len(self._tasks) >= self._max:
            raise CapacityExceeded(
                f"{self._max} generations are already running on this server; retry shortly",
                subject="concurrent_generations",
                retry_after=2.0,
                reason="TOO_MANY_GENERATIONS",
            )
        task = asyncio.create_task(self._runner(job), name=f"generation:{job.id}")
        self._tasks[job.id] = task
        self._idle.clear()
        task.add_done_callback(lambda _: self._done(job.id))

    def _done(self, job_id: str) -> None:
        self._tasks.pop(job_id, None)
        if not self._tasks:
            self._idle.set()

    async def cancel(self, job_id: str) -> bool:
        task = self._tasks.get(job_id)
        if task is None or task.done():
            return False
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait({task})
        return True

    def active(self) -> int:
        return len(self._tasks)

    async def wait_idle(self, within: float) -> bool:
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:
            return False
        return True
