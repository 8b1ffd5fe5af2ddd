"""The event log on Redis Streams: one stream per generation, entry ids `0-<sequence>`.

Appends go through one script, so that the sequence, the end of the stream and the fence (which
worker may still write) change atomically; readers block on XREAD from the id they last saw.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator
from typing import Any

import redis.asyncio as redis
from redis.exceptions import ResponseError

from deckgen.domain._codec import from_jsonable
from deckgen.domain._events import Event, SequencedEvent
from deckgen.providers.queue import StreamFenced, StreamNotFound
from deckgen.providers.redis._client import Keys, dumps, unavailable

__all__ = ["RedisEventLog"]

_APPEND = """
local state = redis.call('HMGET', KEYS[1], 'seq', 'ended', 'fence')
if not state[1] then return redis.error_reply('NOSTREAM') end
if state[2] == '1' then return redis.error_reply('ENDED') end
if ARGV[1] ~= '' and state[3] ~= ARGV[1] then return redis.error_reply('FENCED') end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('XADD', KEYS[2], '0-' .. seq, 'e', ARGV[2], 't', ARGV[3])
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'ended', '1') end
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return seq
"""

_FENCE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'fence', ARGV[1])
return 1
"""

_BLOCK_MS = 1000
_BATCH = 256


def _sequenced(entry_id: str, fields: dict[str, str]) -> SequencedEvent:
    sequence = int(entry_id.partition("-")[2])
    event: Event = from_jsonable(Event, json.loads(fields["e"]))
    return SequencedEvent(sequence, float(fields["t"]), event)


class RedisEventLog:
    def __init__(self, client: redis.Redis, keys: Keys, retention: float, lifetime: float) -> None:
        self._redis = client
        self._keys = keys
        self._retention = max(int(retention), 1)
        # An unfinished stream outlives the longest generation, then lapses like a finished one.
        self._lifetime = int(lifetime + retention) + 60
        self._append = client.register_script(_APPEND)
        self._fence = client.register_script(_FENCE)

    async def create(self, stream: str) -> None:
        meta = self._keys.meta(stream)
        with unavailable():
            if not await self._redis.hsetnx(meta, "seq", 0):
                raise ValueError(f"stream {stream!r} exists")
            await self._redis.expire(meta, self._lifetime)

    async def append(self, stream: str, event: Event, fence: str = "") -> SequencedEvent:
        now = time.time()
        sequenced = SequencedEvent(0, now, event)
        ttl = self._retention if sequenced.terminal else self._lifetime
        args: list[Any] = [fence, dumps(event), repr(now), "1" if sequenced.terminal else "0", ttl]
        try:
            with unavailable():
                sequence = await self._append(
                    keys=[self._keys.meta(stream), self._keys.log(stream)], args=args
                )
        except ResponseError as error:
            message = str(error)
            if "NOSTREAM" in message:
                raise StreamNotFound(stream) from None
            if "FENCED" in message:
                raise StreamFenced(stream) from None
            if "ENDED" in message:
                raise ValueError(f"stream {stream!r} has ended") from None
            raise
        return SequencedEvent(int(sequence), now, event)

    async def read(self, stream: str, after: int = 0) -> AsyncGenerator[SequencedEvent]:
        log = self._keys.log(stream)
        with unavailable():
            if not await self._redis.exists(self._keys.meta(stream)):
                raise StreamNotFound(stream)
        last = f"0-{max(after, 0)}"
        while True:
            with unavailable():
                batches: Any = await self._redis.xread({log: last}, count=_BATCH, block=_BLOCK_MS)
            if not batches:
                with unavailable():
                    if not await self._redis.exists(self._keys.meta(stream)):
                        return  # expired while nobody wrote to it
                continue
            for _, entries in batches:
                for entry_id, fields in entries:
                    last = entry_id
                    event = _sequenced(entry_id, fields)
                    yield event
                    if event.terminal:
                        return

    async def history(self, stream: str) -> list[SequencedEvent]:
        with unavailable():
            if not await self._redis.exists(self._keys.meta(stream)):
                raise StreamNotFound(stream)
            entries: Any = await self._redis.xrange(self._keys.log(stream))
        return [_sequenced(entry_id, fields) for entry_id, fields in entries]

    async def last_sequence(self, stream: str) -> int:
        with unavailable():
            sequence = await self._redis.hget(self._keys.meta(stream), "seq")
        if sequence is None:
            raise StreamNotFound(stream)
        return int(sequence)

    async def fence(self, stream: str, token: str) -> None:
        with unavailable():
            if not await self._fence(keys=[self._keys.meta(stream)], args=[token]):
                raise StreamNotFound(stream)

    async def exists(self, stream: str) -> bool:
        with unavailable():
            return bool(await self._redis.exists(self._keys.meta(stream)))

    async def delete(self, stream: str) -> None:
        with unavailable():
            await self._redis.delete(self._keys.meta(stream), self._keys.log(stream))
