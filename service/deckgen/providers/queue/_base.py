"""The ports through which generation work and its events flow.

A generation is submitted to a `JobQueue` as a `Job`; a worker claims it, holds it under a lease it
renews, and acknowledges it when the generation ended (or hands it back). Whoever runs it appends
its events to an `EventLog` stream named after the presentation; every gRPC stream is a reader of
that log. A worker that takes a job over from a dead one fences the stream first, so that the dead
one (if it was only paused) can no longer write to it. The in-process implementations live beside
this file; the Redis ones let any replica resume any stream and any worker continue any job.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from typing import Protocol

from deckgen.domain import GenerationSpec, Presentation
from deckgen.domain._events import Event, SequencedEvent

__all__ = [
    "Claim",
    "EventLog",
    "Job",
    "JobKind",
    "JobQueue",
    "Opener",
    "QueueStats",
    "StreamFenced",
    "StreamNotFound",
]


class StreamNotFound(KeyError):
    """No event stream exists under that name (never created, or expired)."""


class StreamFenced(RuntimeError):
    """Another worker took this generation over: the writer must stop."""


class JobKind(enum.Enum):
    PRESENTATION = "presentation"
    OUTLINE = "outline"


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    """The presentation id; also the name of the job's event stream."""
    kind: JobKind
    spec: GenerationSpec
    deadline: float
    """Wall-clock time (seconds since the epoch) by which the job must end."""
    trace: tuple[tuple[str, str], ...] = ()
    """The caller's trace context (W3C headers), so the generation's spans continue its trace."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A job held by one worker until it acknowledges or releases it, or its lease runs out."""

    job: Job
    token: str
    """Identifies this claim (and fences the job's event stream for it)."""
    attempt: int
    """1 for the first worker to run the job, 2 for the one that takes it over, and so on."""
    partition: str = ""
    fence: str = ""
    """What fences the job's event stream for this claim, when the queue does not use the token:
    unique among the job's claims, and for the Redis queue known before the job is enqueued (so
    that the stream can be fenced in the very step that enqueues it, see `Opener`)."""

    @property
    def stream_fence(self) -> str:
        """The fence the claim's worker writes the job's event stream under."""
        return self.fence or self.token


@dataclass(frozen=True, slots=True)
class QueueStats:
    waiting: int
    """Jobs no worker has claimed yet."""
    running: int
    """Jobs claimed and not yet acknowledged."""
    oldest_age: float
    """Seconds the oldest unacknowledged job has been in the queue (0 when there is none)."""


class EventLog(Protocol):
    async def create(self, stream: str, first: Event | None = None) -> None:
        """Open a new stream, empty or holding `first` (not a terminal event) as event 1."""
        ...

    async def append(self, stream: str, event: Event, fence: str = "") -> SequencedEvent:
        """Append `event`, assigning the next sequence number (1, 2, 3…).

        With `fence`, refuse (`StreamFenced`) unless the stream is fenced for that token.
        """
        ...

    async def append_many(self, stream: str, events: Sequence[tuple[Event, float]], fence: str = "") -> int:
        """Append `(event, time)` pairs in order, all or none, as `append` would one by one; return
        the sequence of the last. Only the last may be a terminal event."""
        ...

    def read(self, stream: str, after: int = 0) -> AsyncGenerator[SequencedEvent]:
        """Yield the events after sequence `after`, then new ones as they come, until a terminal event.

        Raises `StreamNotFound` when the stream does not exist.
        """
        ...

    async def history(self, stream: str) -> list[SequencedEvent]:
        """Every event so far, without waiting; raises `StreamNotFound`."""
        ...

    async def last_sequence(self, stream: str) -> int:
        """The sequence of the newest event; raises `StreamNotFound`."""
        ...

    async def fence(self, stream: str, token: str) -> list[SequencedEvent]:
        """From now on accept fenced appends only with `token`; return every event so far (none
        can be appended by an earlier holder after them). Raises `StreamNotFound`."""
        ...

    async def exists(self, stream: str) -> bool: ...

    async def delete(self, stream: str) -> None: ...


class JobQueue(Protocol):
    shared: bool
    """True when workers in other processes take jobs from this queue too (a released job is
    continued elsewhere); False for a queue only this process sees."""

    async def submit(self, job: Job, worker: str = "") -> Claim | None:
        """Enqueue `job`; raise `CapacityExceeded` when the queue is full.

        With `worker` (one with room for a job), claim the next waiting job for it in the same step
        and return it: the one just submitted, unless others were waiting before it (in its
        partition, for a queue that has several).
        """
        ...

    async def claim(self, worker: str, wait: float) -> Claim | None:
        """The next job (a new one, or one whose lease ran out), waiting up to `wait` s for one."""
        ...

    async def renew(self, claim: Claim) -> bool:
        """Extend the lease; False when the job was taken over (the claim is lost)."""
        ...

    async def ack(self, claim: Claim) -> None:
        """The job ended: remove it from the queue."""
        ...

    async def release(self, claim: Claim) -> None:
        """Hand the job back, so that another worker can continue it at once."""
        ...

    async def forget_idle_workers(self, worker: str, idle: float) -> int:
        """Forget workers (other than `worker`) that hold no job and were last seen more than
        `idle` s ago: those that died. Return how many were forgotten."""
        ...

    async def stats(self) -> QueueStats: ...


class Opener(Protocol):
    """Starts a generation in as few round trips as the shared state allows (Redis: one)."""

    async def open(
        self,
        job: Job,
        first: Sequence[Event],
        record: Presentation,
        worker: str = "",
        running: Presentation | None = None,
    ) -> tuple[Claim | None, list[SequencedEvent] | None]:
        """Create the job's stream holding `first` (no terminal event), write its record, then
        submit the job, as `EventLog.create`, `Records.put` and `JobQueue.submit` would one after
        another (`CapacityExceeded` when the queue is full: the stream and record stay).

        With `worker`, return what `submit` claims for it. When that is the job just opened, its
        stream is already fenced for the claim, and the second value is the stream's history (what
        `EventLog.fence` would return; nobody can have cancelled a job whose id was never handed
        out); otherwise it is None and the claim's worker fences the stream itself.

        With `worker` and `running` (the record once the job runs), `running` is written instead of
        `record`, and the worker need not write it; when the worker gets another job instead,
        `record` is put back (unless the record changed meanwhile: its worker has it).
        """
        ...
