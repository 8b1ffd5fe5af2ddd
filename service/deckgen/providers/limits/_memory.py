"""Per-caller limits in this process: the embedded default (one replica, nothing to run)."""

from __future__ import annotations

import time
from collections import OrderedDict

__all__ = ["MemoryLimitStore"]


class MemoryLimitStore:
    def __init__(self, max_keys: int = 100_000) -> None:
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._slots: dict[str, dict[str, float]] = {}
        self._usage: dict[str, tuple[int, float]] = {}
        self._max_keys = max_keys

    async def take_token(self, key: str, rate: float, burst: int, now: float) -> float:
        tokens, last = self._buckets.pop(key, (float(burst), now))
        if now > last:
            tokens, last = min(float(burst), tokens + (now - last) * rate), now
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / rate
        self._buckets[key] = (tokens, last)
        while len(self._buckets) > self._max_keys:  # least recently used callers are forgotten
            self._buckets.popitem(last=False)
        return wait

    async def acquire_slot(self, key: str, limit: int, lease: str, expires_at: float, now: float) -> bool:
        held = {k: v for k, v in self._slots.get(key, {}).items() if v > now}
        if len(held) >= limit:
            self._slots[key] = held
            return False
        held[lease] = expires_at
        self._slots[key] = held
        return True

    async def release_slot(self, key: str, lease: str) -> None:
        held = self._slots.get(key)
        if held is not None:
            held.pop(lease, None)
            if not held:
                del self._slots[key]

    async def add_usage(self, key: str, amount: int, ttl: float) -> int:
        now = time.time()
        if len(self._usage) > self._max_keys:
            self._usage = {k: v for k, v in self._usage.items() if v[1] > now}
        total = self._usage.get(key, (0, 0.0))[0] + amount
        self._usage[key] = (total, now + ttl)
        return total

    async def usage(self, key: str) -> int:
        total, expires = self._usage.get(key, (0, 0.0))
        return total if expires > time.time() else 0

    async def aclose(self) -> None:
        return None
