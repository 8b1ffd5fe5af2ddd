"""A generation started in one round trip: its stream, record and job, and its stream's fence.

Two scripts in one pipeline (one write, one read): the first creates the stream, writes the record
and, when this replica's worker has room, fences the stream for the claim it is about to get; the
second enqueues the job and claims it. They cannot be one script: the job stream is a key of its
own slot (a Redis Cluster may keep it on another shard), while the first touches only keys of the
generation's hash tag. A pipeline runs its commands in order on one connection, so the stream
exists before any worker can claim the job.

Fencing before the claim exists works because a claim's fence is known in advance (`fence`): the
first claim of a job by the worker that submits it is `1@<worker>`. When the script claims another
job for that worker instead (one was waiting before it), the fence set here is nobody's yet and the
worker that claims this job later fences the stream again, as usual.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import redis.asyncio as redis
from redis.exceptions import ResponseError

from deckgen.domain import Presentation
from deckgen.domain._events import Event, SequencedEvent
from deckgen.providers.queue import Claim, Job
from deckgen.providers.redis._client import Keys, dumps, unavailable
from deckgen.providers.redis._events import RedisEventLog, _errors
from deckgen.providers.redis._queue import RedisJobQueue, fence
from deckgen.providers.redis._state import RedisRecords

__all__ = ["RedisOpener"]

# KEYS: the stream's meta and log, the record. ARGV[1]: the stream's lifetime; ARGV[2]: the fence
# ('' for none); ARGV[3], ARGV[4]: the record and its TTL; ARGV[5], ARGV[6]: event 1 and its
# time; ARGV[7], ARGV[8]: event 2, and so on. As `_CREATE`, then a record put and a fence.
_OPEN = """
if redis.call('HSETNX', KEYS[1], 'seq', 0) == 0 then return redis.error_reply('EXISTS') end
local seq = 0
for i = 5, #ARGV, 2 do
  seq = seq + 1
  redis.call('XADD', KEYS[2], '0-' .. seq, 'e', ARGV[i], 't', ARGV[i + 1])
end
redis.call('HSET', KEYS[1], 'seq', seq)
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'fence', ARGV[2]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
if seq > 0 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4])
return seq
"""


# The record back as it was (`ARGV[1]`), unless someone changed it since it said `ARGV[2]`.
_UNCLAIM = """
if redis.call('GET', KEYS[1]) == ARGV[2] then redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL') end
return 0
"""


class RedisOpener:
    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        events: RedisEventLog,
        records: RedisRecords,
        queue: RedisJobQueue,
    ) -> None:
        self._redis = client
        self._keys = keys
        self._events = events
        self._records = records
        self._queue = queue
        self._unclaim = client.register_script(_UNCLAIM)

    async def open(
        self,
        job: Job,
        first: Sequence[Event],
        record: Presentation,
        worker: str = "",
        running: Presentation | None = None,
    ) -> tuple[Claim | None, list[SequencedEvent] | None]:
        stream = job.id
        now = time.time()
        history = [SequencedEvent(n + 1, now, event) for n, event in enumerate(first)]
        if any(sequenced.terminal for sequenced in history):
            raise ValueError("a stream cannot start with a terminal event")
        fenced = fence(worker, 1) if worker else ""
        written = dumps(running if worker and running is not None else record)
        args: list[Any] = [self._events.lifetime, fenced, written, self._records.ttl]
        for sequenced in history:
            args += [dumps(sequenced.event), repr(sequenced.time)]
        partition = self._queue.partition_of(job)
        keys = self._keys
        with unavailable():
            room = await self._queue.room(partition)
            # EVAL, not the registered scripts' EVALSHA: a pipeline holding those asks Redis
            # whether it knows them first (SCRIPT EXISTS), a round trip more on every call.
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.eval(_OPEN, 3, keys.meta(stream), keys.log(stream), keys.record(stream), *args)
                pipe.eval(
                    self._queue.submit_script(), 1, partition, *self._queue.submit_args(job, worker, room)
                )
                opened, submitted = await pipe.execute(raise_on_error=False)
        if isinstance(opened, ResponseError):
            # Only a stream that exists already (an id used twice) fails here; the job, if it was
            # enqueued, finds that stream's own fence and ends there.
            raise _errors(opened, stream)
        if isinstance(submitted, ResponseError):
            raise self._queue.submit_error(submitted)
        claim = self._queue.submitted(job, worker, partition, submitted)
        if claim is None or claim.job.id != stream or claim.attempt != 1:
            if worker and running is not None:
                # Another job went first: this one waits after all, as its record says again.
                with unavailable():
                    await self._unclaim(keys=[keys.record(stream)], args=[dumps(record), written])
            return claim, None
        self._events.hold(stream, claim.stream_fence, history)
        return claim, history
