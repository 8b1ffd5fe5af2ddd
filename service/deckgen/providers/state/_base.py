"""Per-generation state shared by every replica: records, request ids, readers, cancel signals.

Each port has an in-process implementation (a single process, the embedded default) and a Redis
one; both keep every entry for a bounded time, so nothing grows without bound.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from deckgen.domain import DeckgenError, Presentation, Unavailable

__all__ = [
    "READER_LEASE",
    "CancelSignals",
    "Readers",
    "Records",
    "RequestBinding",
    "StateUnavailable",
]


READER_LEASE = 15.0
"""Seconds a reader's entry lasts unless renewed (its replica renews it every third of that): a
replica that dies stops renewing, and its readers stop counting this long after."""


@dataclass(frozen=True, slots=True)
class RequestBinding:
    fingerprint: str
    presentation_id: str


class Records(Protocol):
    """Presentations (whole, so that they can carry any field) and the request ids that made them."""

    async def put(self, presentation: Presentation) -> None: ...

    async def get(self, presentation_id: str) -> Presentation | None: ...

    async def bind_request(self, request_id: str, binding: RequestBinding) -> RequestBinding | None:
        """Bind `request_id` unless it is bound already; return the earlier binding if it is."""
        ...

    async def request(self, request_id: str) -> RequestBinding | None: ...

    async def unbind_request(self, request_id: str, presentation_id: str) -> None:
        """Forget `request_id` if it is still bound to `presentation_id`."""
        ...


class Readers(Protocol):
    """Who is reading a generation's stream, on any replica; each entry lapses unless renewed."""

    async def attach(self, stream: str, reader: str) -> None:
        """Add or renew `reader`."""
        ...

    async def detach(self, stream: str, reader: str) -> int:
        """Remove `reader`; return how many readers are left."""
        ...

    async def count(self, stream: str) -> int: ...


class CancelSignals(Protocol):
    async def send(self, job_id: str, cancellation: DeckgenError) -> None:
        """Ask whichever worker runs (or will claim) `job_id` to stop it; `cancellation` is the
        error its stream ends with."""
        ...

    async def get(self, job_id: str) -> DeckgenError | None: ...

    def listen(self) -> AsyncIterator[str]:
        """Ids of jobs cancelled from now on, as they are cancelled."""
        ...


class StateUnavailable(Unavailable):
    """The shared state (Redis) did not answer; the caller may retry once it is back."""

    reason = "REDIS_UNAVAILABLE"
