"""In-process event log and job queue: the embedded defaults for a single process."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import deque
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass, field

from deckgen.domain import CapacityExceeded
from deckgen.domain._events import Event, SequencedEvent
from deckgen.providers.queue._base import Claim, Job, QueueStats, StreamFenced, StreamNotFound

__all__ = ["MemoryEventLog", "MemoryJobQueue", "queue_full"]


def queue_full(capacity: int) -> CapacityExceeded:
    return CapacityExceeded(
        f"{capacity} generations are already waiting or running; retry shortly",
        subject="concurrent_generations",
        retry_after=2.0,
        reason="TOO_MANY_GENERATIONS",
    )


@dataclass(slots=True)
class _Stream:
    created_at: float
    events: list[SequencedEvent] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    finished_at: float | None = None
    fence: str = ""


class MemoryEventLog:
    """Streams kept in memory; a finished stream is dropped `retention` seconds after its last event,
    an unfinished one `retention` seconds after it was created plus `lifetime` (the longest a
    generation may run)."""

    appends_at_once = True
    """`append_many` never waits (no I/O): a writer may call it from the publishing task itself."""

    def __init__(
        self, retention: float = 3600.0, clock: Callable[[], float] = time.time, lifetime: float = 3600.0
    ) -> None:
        self._streams: dict[str, _Stream] = {}
        self._retention = retention
        self._lifetime = lifetime
        self._clock = clock
        self._next_expiry = 0.0

    def _expire(self) -> None:
        now = self._clock()
        # A look at every stream: not at every call (a burst of calls would make it quadratic).
        if now < self._next_expiry:
            return
        self._next_expiry = now + min(1.0, self._retention / 10)
        expired = [
            name
            for name, stream in self._streams.items()
            if (stream.finished_at is not None and now - stream.finished_at > self._retention)
            or now - stream.created_at > self._lifetime + self._retention
        ]
        for name in expired:
            del self._streams[name]

    def _get(self, stream: str) -> _Stream:
        try:
            return self._streams[stream]
        except KeyError:
            raise StreamNotFound(stream) from None

    async def create(self, stream: str, first: Event | None = None) -> None:
        self._expire()
        if stream in self._streams:
            raise ValueError(f"stream {stream!r} exists")
        created = self._streams[stream] = _Stream(self._clock())
        if first is not None:
            created.events.append(SequencedEvent(1, created.created_at, first))

    async def append(self, stream: str, event: Event, fence: str = "") -> SequencedEvent:
        return self._append(stream, [(event, self._clock())], fence)

    async def append_many(self, stream: str, events: Sequence[tuple[Event, float]], fence: str = "") -> int:
        return self._append(stream, events, fence).sequence if events else await self.last_sequence(stream)

    def _append(self, stream: str, events: Sequence[tuple[Event, float]], fence: str) -> SequencedEvent:
        state = self._get(stream)
        if fence and state.fence != fence:
            raise StreamFenced(stream)
        if state.finished_at is not None:
            raise ValueError(f"stream {stream!r} has ended")
        added = [SequencedEvent(len(state.events) + n, at, event) for n, (event, at) in enumerate(events, 1)]
        if any(sequenced.terminal for sequenced in added[:-1]):
            raise ValueError("only the last event appended may end the stream")
        state.events.extend(added)
        sequenced = added[-1]
        if sequenced.terminal:
            state.finished_at = sequenced.time
        # Wake every reader, then give the next appends a fresh event to wait on.
        state.changed.set()
        state.changed = asyncio.Event()
        return sequenced

    async def read(self, stream: str, after: int = 0) -> AsyncGenerator[SequencedEvent]:
        state = self._get(stream)
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

    async def history(self, stream: str) -> list[SequencedEvent]:
        return list(self._get(stream).events)

    async def last_sequence(self, stream: str) -> int:
        return len(self._get(stream).events)

    async def fence(self, stream: str, token: str) -> list[SequencedEvent]:
        state = self._get(stream)
        state.fence = token
        return list(state.events)

    async def exists(self, stream: str) -> bool:
        self._expire()
        return stream in self._streams

    async def delete(self, stream: str) -> None:
        self._streams.pop(stream, None)


@dataclass(slots=True)
class _Held:
    claim: Claim
    expires: float
    enqueued: float


class MemoryJobQueue:
    """Jobs waiting in this process, at most `capacity` waiting or running at once; more are refused."""

    shared = False

    def __init__(
        self, capacity: int, lease: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._capacity = capacity
        self._lease = lease
        self._clock = clock
        self._waiting: deque[tuple[Job, int, float]] = deque()
        self._held: dict[str, _Held] = {}
        self._arrived = asyncio.Event()

    async def submit(self, job: Job, worker: str = "") -> Claim | None:
        if len(self._waiting) + len(self._held) >= self._capacity:
            raise queue_full(self._capacity)
        self._waiting.append((job, 1, self._clock()))
        claim = self._take(worker) if worker else None
        if self._waiting:
            self._arrived.set()
        return claim

    def _take(self, worker: str) -> Claim | None:
        now = self._clock()
        for token, held in list(self._held.items()):
            if held.expires <= now:  # its worker stopped renewing: someone else continues it
                del self._held[token]
                self._waiting.appendleft((held.claim.job, held.claim.attempt + 1, held.enqueued))
        if not self._waiting:
            return None
        job, attempt, enqueued = self._waiting.popleft()
        claim = Claim(job, f"{worker}:{uuid.uuid4().hex}", attempt)
        self._held[claim.token] = _Held(claim, now + self._lease, enqueued)
        return claim

    async def claim(self, worker: str, wait: float) -> Claim | None:
        claim = self._take(worker)
        if claim is not None or wait <= 0:
            return claim
        # Until a job arrives or a held one's lease runs out, whichever comes first: nothing else
        # can make a claim possible, so a long `wait` costs an idle server no wakes.
        expiry = min((held.expires for held in self._held.values()), default=None)
        if expiry is not None:
            wait = min(wait, max(expiry - self._clock(), 0.0))
        self._arrived.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await self._arrived.wait()
        return self._take(worker)

    async def renew(self, claim: Claim) -> bool:
        held = self._held.get(claim.token)
        if held is None:
            return False
        held.expires = self._clock() + self._lease
        return True

    async def ack(self, claim: Claim) -> None:
        self._held.pop(claim.token, None)

    async def release(self, claim: Claim) -> None:
        held = self._held.pop(claim.token, None)
        if held is not None:
            self._waiting.appendleft((claim.job, claim.attempt + 1, held.enqueued))
            self._arrived.set()

    async def forget_idle_workers(self, worker: str, idle: float) -> int:
        return 0  # workers leave nothing behind in this process's queue

    async def stats(self) -> QueueStats:
        now = self._clock()
        ages = [now - enqueued for _, _, enqueued in self._waiting]
        ages += [now - held.enqueued for held in self._held.values()]
        return QueueStats(len(self._waiting), len(self._held), max(ages, default=0.0))
