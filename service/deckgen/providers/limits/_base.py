"""The port behind per-caller limits: three atomic operations on counters keyed by caller."""

from __future__ import annotations

from typing import Protocol

__all__ = ["LimitStore", "LimitStoreUnavailable"]


class LimitStoreUnavailable(Exception):
    """The shared store did not answer (Redis down or unreachable)."""


class LimitStore(Protocol):
    """Each operation is atomic, so replicas sharing one store never over-grant. `now` is seconds
    since the epoch from the caller, which keeps the arithmetic identical in every implementation."""

    async def take_token(self, key: str, rate: float, burst: int, now: float) -> float:
        """Take one token from the bucket `key` (refilling `rate`/s up to `burst`); return 0 when
        granted, else the seconds until a token will be there."""
        ...

    async def acquire_slot(self, key: str, limit: int, lease: str, expires_at: float, now: float) -> bool:
        """Hold one of `limit` slots under `lease` until released or `expires_at` (a crashed holder's
        slot comes back by itself); False when all are held."""
        ...

    async def release_slot(self, key: str, lease: str) -> None: ...

    async def add_usage(self, key: str, amount: int, ttl: float) -> int:
        """Add `amount` to the counter `key` (kept `ttl` s); return the new total."""
        ...

    async def usage(self, key: str) -> int: ...

    async def aclose(self) -> None: ...
