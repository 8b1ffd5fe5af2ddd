"""Counters behind per-caller limits: in process (default) or in Redis (shared by replicas)."""

from deckgen.providers.limits._base import LimitStore
from deckgen.providers.limits._memory import MemoryLimitStore
from deckgen.providers.limits._redis import RedisLimitStore

__all__ = ["LimitStore", "MemoryLimitStore", "RedisLimitStore"]
