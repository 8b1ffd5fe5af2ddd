"""The ports through which generation work and its events flow.

A generation is submitted to a `JobQueue` as a `Job`; whoever runs it appends its events to an
`EventLog` stream named after the presentation; every gRPC stream is a reader of that log. The
in-process implementations live beside this file; a shared queue and a durable log (so that any
replica can resume any stream) implement the same two protocols.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from deckgen.domain import GenerationSpec
from deckgen.domain._events import Event, SequencedEvent

__all__ = ["EventLog", "Job", "JobKind", "JobQueue", "JobRunner", "StreamNotFound"]


class StreamNotFound(KeyError):
    """No event stream exists under that name (never created, or expired)."""


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


JobRunner = Callable[[Job], Coroutine[Any, Any, None]]


class EventLog(Protocol):
    async def create(self, stream: str) -> None:
        """Open a new, empty stream."""
        ...

    async def append(self, stream: str, event: Event) -> SequencedEvent:
        """Append `event`, assigning the next sequence number (1, 2, 3…)."""
        ...

    def read(self, stream: str, after: int = 0) -> AsyncGenerator[SequencedEvent]:
        """Yield the events after sequence `after`, then new ones as they come, until a terminal event.

        Raises `StreamNotFound` when the stream does not exist.
        """
        ...

    async def exists(self, stream: str) -> bool: ...


class JobQueue(Protocol):
    async def submit(self, job: Job) -> None:
        """Start or enqueue `job`; raise `CapacityExceeded` when no more work can be taken."""
        ...

    async def cancel(self, job_id: str) -> bool:
        """Stop a job; return False when it is not running here."""
        ...

    def active(self) -> int:
        """Jobs running (or waiting) in this queue."""
        ...

    async def wait_idle(self, within: float) -> bool:
        """Wait until no job is running; return False on timeout."""
        ...
