"""The event log on Redis Streams: one stream per generation, entry ids `0-<sequence>`.

Appends go through one script, so that the sequence, the end of the stream and the fence (which
worker may still write) change atomically; readers block on XREAD from the id they last saw.

A reader in the process whose worker writes the stream reads it from memory instead: the worker
fenced it through this same object (so it holds the whole log from event 1) and every append it
makes lands here as soon as Redis has it. No XREAD round trip and no decoding between a slide and
the caller, so a stream read where it is written is as quick as with the in-process log. When the
writer stops writing here (taken over elsewhere, fenced out), its readers go on from Redis.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
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
local first = tonumber(state[1]) + 1
local seq = first - 1
-- ARGV[4], ARGV[5]: event, time; ARGV[6], ARGV[7]: the next one, and so on.
for i = 4, #ARGV, 2 do
  seq = seq + 1
  redis.call('XADD', KEYS[2], '0-' .. seq, 'e', ARGV[i], 't', ARGV[i + 1])
end
redis.call('HSET', KEYS[1], 'seq', seq)
-- TTLs change twice: the log's when it is born, both when it ends (then only retention is left).
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[1], 'ended', '1')
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
elseif first == 1 then
  redis.call('EXPIRE', KEYS[2], ARGV[3])
end
return seq
"""

_CREATE = """
if redis.call('HSETNX', KEYS[1], 'seq', 0) == 0 then return redis.error_reply('EXISTS') end
redis.call('EXPIRE', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[1], 'seq', 1)
  redis.call('XADD', KEYS[2], '0-1', 'e', ARGV[2], 't', ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[1])
end
return 0
"""

# Fenced and read in one step: nothing the earlier holder appends can land after the history.
_FENCE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('NOSTREAM') end
redis.call('HSET', KEYS[1], 'fence', ARGV[1])
return redis.call('XRANGE', KEYS[2], '-', '+')
"""

_BLOCK_MS = 1000
_BATCH = 256
_LOCAL_CHECK = 1.0
"""Seconds a reader of a local stream waits for news before asking Redis whether it is still ours."""


@dataclass(slots=True)
class _Local:
    """A stream this process writes: every event so far, for its readers here."""

    token: str
    events: list[SequencedEvent]
    born: float = field(default_factory=time.monotonic)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    stale: bool = False
    """The writer stopped writing through this process: readers go on from Redis."""

    def notify(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()


def _errors(error: ResponseError, stream: str) -> Exception:
    message = str(error)
    if "NOSTREAM" in message:
        return StreamNotFound(stream)
    if "FENCED" in message:
        return StreamFenced(stream)
    if "ENDED" in message:
        return ValueError(f"stream {stream!r} has ended")
    if "EXISTS" in message:
        return ValueError(f"stream {stream!r} exists")
    return error


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
        self._create = client.register_script(_CREATE)
        self._fence = client.register_script(_FENCE)
        self._local: dict[str, _Local] = {}
        self._fencing: dict[str, asyncio.Future[None]] = {}
        """Streams being fenced here: local in a moment, unless the fence fails."""
        self._local_lifetime = lifetime + 60

    async def create(self, stream: str, first: Event | None = None) -> None:
        args: list[Any] = [self._lifetime, "", ""]
        if first is not None:
            args[1:] = [dumps(first), repr(time.time())]
        try:
            with unavailable():
                await self._create(keys=[self._keys.meta(stream), self._keys.log(stream)], args=args)
        except ResponseError as error:
            raise _errors(error, stream) from None

    async def append(self, stream: str, event: Event, fence: str = "") -> SequencedEvent:
        now = time.time()
        sequence = await self.append_many(stream, [(event, now)], fence)
        return SequencedEvent(sequence, now, event)

    async def append_many(self, stream: str, events: Sequence[tuple[Event, float]], fence: str = "") -> int:
        if not events:
            return await self.last_sequence(stream)
        added = [SequencedEvent(0, at, event) for event, at in events]
        if any(sequenced.terminal for sequenced in added[:-1]):
            raise ValueError("only the last event appended may end the stream")
        ends = added[-1].terminal
        args: list[Any] = [fence, "1" if ends else "0", self._retention if ends else self._lifetime]
        for event, at in events:
            args += [dumps(event), repr(at)]
        try:
            with unavailable():
                sequence = int(
                    await self._append(keys=[self._keys.meta(stream), self._keys.log(stream)], args=args)
                )
        except ResponseError as error:
            self._drop_local(stream)
            raise _errors(error, stream) from None
        self._feed_local(stream, fence, sequence, events)
        return sequence

    def _feed_local(self, stream: str, fence: str, last: int, events: Sequence[tuple[Event, float]]) -> None:
        local = self._local.get(stream)
        if local is None:
            return
        first = last - len(events) + 1
        if not fence or fence != local.token or len(local.events) != first - 1:
            self._drop_local(stream)  # written by someone else too: only Redis has it all
            return
        local.events.extend(SequencedEvent(first + n, at, event) for n, (event, at) in enumerate(events))
        if local.events[-1].terminal:
            del self._local[stream]  # complete: its readers finish from memory, new ones use Redis
        local.notify()

    def _drop_local(self, stream: str) -> None:
        local = self._local.pop(stream, None)
        if local is not None:
            local.stale = True
            local.notify()

    async def read(self, stream: str, after: int = 0) -> AsyncGenerator[SequencedEvent]:
        fencing = self._fencing.get(stream)
        if fencing is not None:
            # A worker here is fencing it (the reader of a job it just took): read it from memory
            # once that is done, rather than from Redis.
            await asyncio.shield(fencing)
        if stream not in self._local:
            with unavailable():
                if not await self._redis.exists(self._keys.meta(stream)):
                    raise StreamNotFound(stream)
        position = max(after, 0)
        while True:
            local = self._local.get(stream)
            source = (
                self._read_local(stream, local, position)
                if local is not None
                else self._read_redis(stream, position)
            )
            async with aclosing(source) as events:
                async for event in events:
                    position = event.sequence
                    yield event
                    if event.terminal:
                        return
            if local is None and stream not in self._local:
                return  # the Redis stream ended or expired

    async def _read_local(self, stream: str, local: _Local, position: int) -> AsyncGenerator[SequencedEvent]:
        """From memory while this process writes the stream; returns when it stops doing so."""
        while not local.stale:
            changed = local.changed
            while position < len(local.events):
                position += 1
                yield local.events[position - 1]
            try:
                # Not `wait_for`: the task it wraps the wait in would wake this reader a turn of the
                # loop later, behind the generation's next stretch of work.
                async with asyncio.timeout(_LOCAL_CHECK):
                    await changed.wait()
            except TimeoutError:
                # Quiet for a while (a slow model, or a writer that stopped without a word): make
                # sure nobody else has taken the stream over meanwhile.
                with unavailable():
                    fence = await self._redis.hget(self._keys.meta(stream), "fence")
                if fence != local.token:
                    local.stale = True
                    if self._local.get(stream) is local:
                        del self._local[stream]

    async def _read_redis(self, stream: str, position: int) -> AsyncGenerator[SequencedEvent]:
        """From Redis, until the end of the stream, or until this process starts writing it."""
        log = self._keys.log(stream)
        last = f"0-{position}"
        while stream not in self._local:
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

    async def fence(self, stream: str, token: str) -> list[SequencedEvent]:
        fenced = asyncio.get_running_loop().create_future()
        self._fencing[stream] = fenced
        try:
            return await self._fence_here(stream, token)
        finally:
            if self._fencing.get(stream) is fenced:
                del self._fencing[stream]
            fenced.set_result(None)

    async def _fence_here(self, stream: str, token: str) -> list[SequencedEvent]:
        try:
            with unavailable():
                entries: Any = await self._fence(
                    keys=[self._keys.meta(stream), self._keys.log(stream)], args=[token]
                )
        except ResponseError as error:
            raise _errors(error, stream) from None
        # A script's reply is not parsed like XRANGE's: each entry is [id, [field, value, ...]].
        history = [
            _sequenced(entry_id, dict(zip(pairs[::2], pairs[1::2], strict=True)))
            for entry_id, pairs in entries
        ]
        self.hold(stream, token, history)
        return history

    def hold(self, stream: str, token: str, history: list[SequencedEvent]) -> None:
        """Keep the stream's events here from now on: it was fenced for `token` (a worker of this
        process) and `history` is all it holds."""
        self._drop_local(stream)
        now = time.monotonic()
        for name in [name for name, old in self._local.items() if now - old.born > self._local_lifetime]:
            self._drop_local(name)  # its writer vanished without a word (no generation lasts longer)
        if not (history and history[-1].terminal):
            self._local[stream] = _Local(token, list(history))

    @property
    def lifetime(self) -> int:
        """Seconds an unfinished stream's keys live."""
        return self._lifetime

    async def exists(self, stream: str) -> bool:
        with unavailable():
            return bool(await self._redis.exists(self._keys.meta(stream)))

    async def delete(self, stream: str) -> None:
        with unavailable():
            await self._redis.delete(self._keys.meta(stream), self._keys.log(stream))
