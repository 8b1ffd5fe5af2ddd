"""Per-caller limits in Redis: shared by every replica, each operation one atomic Lua script."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

from redis.exceptions import RedisError

from deckgen.providers.limits._base import LimitStoreUnavailable
from deckgen.providers.redis._client import connect

__all__ = ["RedisLimitStore"]

# Floats travel as strings: Redis turns a Lua number reply into an integer.
_TAKE = """
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens, last = tonumber(state[1]), tonumber(state[2])
if tokens == nil or last == nil then tokens, last = burst, now end
if now > last then tokens, last = math.min(burst, tokens + (now - last) * rate), now end
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(last))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return tostring(wait)
"""

_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[4])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
"""


@contextmanager
def _answering() -> Iterator[None]:
    try:
        yield
    except (RedisError, OSError) as error:
        raise LimitStoreUnavailable(f"Redis did not answer ({type(error).__name__})") from error


class RedisLimitStore:
    def __init__(self, url: str, prefix: str = "deckgen:limits:", password: str = "") -> None:
        # The shared connection settings (fail fast, reconnect once after a restart), with a shorter
        # read timeout: a limit that cannot be checked in time is lifted, not waited for.
        self._client = connect(url, password, socket_timeout=2.0)
        self._prefix = prefix
        self._take = self._client.register_script(_TAKE)
        self._acquire = self._client.register_script(_ACQUIRE)

    async def take_token(self, key: str, rate: float, burst: int, now: float) -> float:
        ttl_ms = math.ceil((burst / rate + 1) * 1000)  # long enough to refill completely
        with _answering():
            wait = await self._take(keys=[self._prefix + key], args=[repr(rate), burst, repr(now), ttl_ms])
        return float(wait)

    async def acquire_slot(self, key: str, limit: int, lease: str, expires_at: float, now: float) -> bool:
        ttl_ms = max(math.ceil((expires_at - now) * 1000), 1)
        with _answering():
            granted = await self._acquire(
                keys=[self._prefix + key], args=[limit, lease, repr(expires_at), repr(now), ttl_ms]
            )
        return bool(granted)

    async def release_slot(self, key: str, lease: str) -> None:
        with _answering():
            await self._client.zrem(self._prefix + key, lease)

    async def add_usage(self, key: str, amount: int, ttl: float) -> int:
        with _answering():
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.incrby(self._prefix + key, amount)
                pipe.expire(self._prefix + key, math.ceil(ttl))
                total, _ = await pipe.execute()
        return int(total)

    async def usage(self, key: str) -> int:
        with _answering():
            value = await self._client.get(self._prefix + key)
        return int(value) if value is not None else 0

    async def aclose(self) -> None:
        await self._client.aclose()
