"""Time limits on the waits for a provider, with one timer for a whole streamed reply."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["WaitLimit"]

T = TypeVar("T")


class WaitLimit:
    """Ends a wait for the provider at loop time `deadline` or after `idle` seconds of silence.

    Only the waits count, never the consumer's work between them. `asyncio.timeout_at` around every
    read (or an HTTP client's read timeout) arms and cancels a timer per token; one around the whole
    stream would cancel the consumer if it expired during the consumer's work. This keeps one timer,
    re-armed only when it fires early: firing during a wait that has run too long cancels that wait,
    which raises TimeoutError; past the deadline, the next wait raises TimeoutError at once.

    `unread`: asked before a silent wait is ended; True when the provider did send something that
    was left unread on purpose (a reply held to its end), which then counts as the stream's news.
    """

    __slots__ = (
        "_cancelled",
        "_deadline",
        "_expired",
        "_handle",
        "_idle",
        "_loop",
        "_since",
        "_unread",
        "_waiting",
    )

    def __init__(self, deadline: float, idle: float, unread: Callable[[], bool] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._deadline = deadline
        self._idle = idle
        self._unread = unread
        self._waiting: asyncio.Task[object] | None = None
        self._since = self._loop.time()
        self._cancelled = False
        self._expired = False
        self._handle = self._loop.call_at(min(deadline, self._since + idle), self._check)

    def _check(self) -> None:
        now = self._loop.time()
        self._expired = now >= self._deadline
        waiting = self._waiting
        silent = waiting is not None and now - self._since >= self._idle
        if silent and not self._expired and self._unread is not None and self._unread():
            self._since, silent = now, False
        if waiting is not None and (self._expired or silent):
            self._cancelled = True
            waiting.cancel()
        elif not self._expired:
            since = self._since if waiting is not None else now
            self._handle = self._loop.call_at(min(self._deadline, since + self._idle), self._check)

    async def wait(self, awaitable: Awaitable[T]) -> T:
        if self._expired or self._cancelled:
            close = getattr(awaitable, "close", None)
            if close is not None:
                close()  # never awaited: say so to no one
            raise TimeoutError
        task = asyncio.current_task()
        self._waiting = task
        self._since = self._loop.time()
        try:
            return await awaitable
        except asyncio.CancelledError:
            # Ours alone (no one else asked the task to stop): a timeout, not a cancellation.
            if self._cancelled and task is not None and task.uncancel() == 0:
                raise TimeoutError from None
            raise
        finally:
            self._waiting = None

    def close(self) -> None:
        self._handle.cancel()
