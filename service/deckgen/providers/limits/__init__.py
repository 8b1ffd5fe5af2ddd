"""Counters behind per-caller limits: in process (default) or in Redis (shared by replicas)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from deckgen.providers.limits._base import LimitStore, LimitStoreUnavailable
from deckgen.providers.limits._memory import MemoryLimitStore

if TYPE_CHECKING:
    from deckgen.providers.limits._redis import RedisLimitStore

__all__ = ["LimitStore", "LimitStoreUnavailable", "MemoryLimitStore", "RedisLimitStore"]


def __getattr__(name: str) -> type[RedisLimitStore]:
    # The Redis client is imported only by deployments that use it (it adds to every start-up).
    if name == "RedisLimitStore":
        from deckgen.providers.limits._redis import RedisLimitStore

        return RedisLimitStore
    raise AttributeError(name)
