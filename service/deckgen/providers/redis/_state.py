"""Records, request ids, readers and cancel signals in Redis, every key with a TTL."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Generic, TypeVar

import redis.asyncio as redis

from deckgen.domain import DeckgenError, Presentation
from deckgen.domain._codec import from_jsonable
from deckgen.providers.redis._client import Keys, dumps, unavailable
from deckgen.providers.state import READER_LEASE, RequestBinding

__all__ = ["RedisCancelSignals", "RedisJsonCache", "RedisReaders", "RedisRecords"]

T = TypeVar("T")

_UNBIND = """
local known = redis.call('GET', KEYS[1])
if known and cjson.decode(known)['presentation_id'] == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisRecords:
    def __init__(self, client: redis.Redis, keys: Keys, retention: float) -> None:
        self._redis = client
        self._keys = keys
        self._ttl = int(retention)
        self._unbind = client.register_script(_UNBIND)

    @property
    def ttl(self) -> int:
        """Seconds a record lives."""
        return self._ttl

    async def put(self, presentation: Presentation) -> None:
        with unavailable():
            await self._redis.set(self._keys.record(presentation.id), dumps(presentation), ex=self._ttl)

    async def get(self, presentation_id: str) -> Presentation | None:
        with unavailable():
            data = await self._redis.get(self._keys.record(presentation_id))
        return None if data is None else from_jsonable(Presentation, json.loads(data))

    async def request(self, request_id: str) -> RequestBinding | None:
        with unavailable():
            data = await self._redis.get(self._keys.request(request_id))
        return None if data is None else from_jsonable(RequestBinding, json.loads(data))

    async def bind_request(self, request_id: str, binding: RequestBinding) -> RequestBinding | None:
        key = self._keys.request(request_id)
        with unavailable():
            if await self._redis.set(key, dumps(binding), ex=self._ttl, nx=True):
                return None
        return await self.request(request_id) or binding

    async def unbind_request(self, request_id: str, presentation_id: str) -> None:
        with unavailable():
            await self._unbind(keys=[self._keys.request(request_id)], args=[presentation_id])


# One command, not a MULTI of two: a reader attaches before it reads, and each command costs the
# event loop as much CPU as a small generation spends between two events.
_ATTACH = """
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 0
"""


class RedisReaders:
    """A sorted set per stream: reader -> when its entry lapses unless renewed."""

    def __init__(self, client: redis.Redis, keys: Keys, lease: float = READER_LEASE) -> None:
        self._redis = client
        self._keys = keys
        self._lease = lease
        self._attach = client.register_script(_ATTACH)

    async def attach(self, stream: str, reader: str) -> None:
        key = self._keys.readers(stream)
        with unavailable():
            await self._attach(
                keys=[key], args=[repr(time.time() + self._lease), reader, int(self._lease * 2)]
            )

    async def detach(self, stream: str, reader: str) -> int:
        key = self._keys.readers(stream)
        with unavailable():
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zrem(key, reader)
                pipe.zremrangebyscore(key, "-inf", time.time())
                pipe.zcard(key)
                *_, remaining = await pipe.execute()
        return int(remaining)

    async def count(self, stream: str) -> int:
        key = self._keys.readers(stream)
        with unavailable():
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(key, "-inf", time.time())
                pipe.zcard(key)
                _, remaining = await pipe.execute()
        return int(remaining)


class RedisCancelSignals:
    """The cancellation kept under the job's key (a worker claiming it later sees it) and announced
    on a channel every worker listens to (the one running it stops at once)."""

    def __init__(self, client: redis.Redis, keys: Keys, retention: float) -> None:
        self._redis = client
        self._keys = keys
        self._ttl = int(retention)

    async def send(self, job_id: str, cancellation: DeckgenError) -> None:
        with unavailable():
            await self._redis.set(self._keys.cancel(job_id), dumps(cancellation), ex=self._ttl)
            await self._redis.publish(self._keys.cancels, job_id)

    async def get(self, job_id: str) -> DeckgenError | None:
        with unavailable():
            data = await self._redis.get(self._keys.cancel(job_id))
        return None if data is None else from_jsonable(DeckgenError, json.loads(data))

    async def listen(self) -> AsyncIterator[str]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            with unavailable():
                await pubsub.subscribe(self._keys.cancels)
            while True:
                with unavailable():
                    message = await pubsub.get_message(timeout=1.0)
                if message is not None and message.get("type") == "message":
                    yield str(message["data"])
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]


class RedisJsonCache(Generic[T]):
    """Values of one type (a dataclass) shared by every replica, each kept for `ttl` seconds."""

    def __init__(self, client: redis.Redis, keys: Keys, ttl: float, kind: type[T]) -> None:
        self._redis = client
        self._keys = keys
        self._ttl = int(ttl)
        self._kind = kind

    async def get(self, key: str) -> T | None:
        with unavailable():
            data = await self._redis.get(self._keys.content(key))
        return None if data is None else from_jsonable(self._kind, json.loads(data))

    async def put(self, key: str, content: T) -> None:
        with unavailable():
            await self._redis.set(self._keys.content(key), dumps(content), ex=self._ttl)
