"""The job queue on Redis Streams: a consumer group per partition, leases as pending entries.

A claimed job stays in the group's pending entries list until it is acknowledged; its worker
renews the lease by re-claiming it for itself (which resets the entry's idle time). When a worker
stops renewing, XAUTOCLAIM hands the entry to another worker once it has been idle for a lease.
"""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis
from redis.exceptions import ResponseError

from deckgen.domain._codec import from_jsonable
from deckgen.providers.queue import Claim, Job, QueueStats, queue_full
from deckgen.providers.redis._client import Keys, dumps, unavailable

__all__ = ["RedisJobQueue", "fence"]

GROUP = "workers"

# Renew or release only a claim the worker still holds: another may have taken the job over.
_KEEP = """
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #pending == 0 or pending[1][2] ~= ARGV[3] then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], 'IDLE', ARGV[4], 'JUSTID')
return 1
"""


# Refuse or enqueue in one step (one round trip before a worker can start): ARGV[1] is the room
# left once the other partitions' jobs are counted.
# With ARGV[3] (a worker with room), the next waiting job is claimed for it in that same step.
_SUBMIT = """
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return redis.error_reply('FULL') end
local id = redis.call('XADD', KEYS[1], '*', 'job', ARGV[2])
if ARGV[3] == '' then return {id} end
local got = redis.call('XREADGROUP', 'GROUP', ARGV[4], ARGV[3], 'COUNT', 1, 'STREAMS', KEYS[1], '>')
if not got then return {id} end
local entry = got[1][2][1]
return {id, entry[1], entry[2][2]}
"""


# Consumers left by workers that died: idle for long and holding nothing. Checked and removed in
# one step, so that none takes a job between the check and its removal (its jobs would be lost).
_FORGET = """
local consumers = redis.pcall('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
if type(consumers) ~= 'table' or consumers['err'] then return 0 end
local removed = 0
for _, consumer in ipairs(consumers) do
  local info = {}
  for i = 1, #consumer, 2 do info[consumer[i]] = consumer[i + 1] end
  if info['pending'] == 0 and info['idle'] > tonumber(ARGV[2]) and info['name'] ~= ARGV[3] then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], info['name'])
    removed = removed + 1
  end
end
return removed
"""


def fence(worker: str, attempt: int) -> str:
    """What fences a job's stream for its `attempt`-th claim, by `worker`.

    Unique among the job's claims without the entry id: a job's entry is delivered once to a
    worker as attempt 1, and each later claim (XAUTOCLAIM) counts one delivery more; worker names
    are unique. So the worker that submits a job can fence its stream before Redis assigns the
    entry, in the same round trip as the submission.
    """
    return f"{attempt}@{worker}"


@dataclass(frozen=True, slots=True)
class _Token:
    entry: str
    worker: str
    attempt: int

    def __str__(self) -> str:
        return f"{self.entry}#{self.attempt}@{self.worker}"

    @classmethod
    def parse(cls, token: str) -> _Token:
        entry, _, rest = token.partition("#")
        attempt, _, worker = rest.partition("@")
        return cls(entry, worker, int(attempt))


class RedisJobQueue:
    shared = True

    def __init__(
        self, client: redis.Redis, keys: Keys, *, partitions: int, capacity: int, lease: float
    ) -> None:
        self._redis = client
        self._keys = keys
        self._partitions = [keys.jobs(n) for n in range(partitions)]
        self._capacity = capacity
        self._lease_ms = int(lease * 1000)
        self._keep = client.register_script(_KEEP)
        self._submit = client.register_script(_SUBMIT)
        self._forget = client.register_script(_FORGET)
        self._grouped: set[str] = set()
        self._next = 0

    @property
    def partitions(self) -> tuple[str, ...]:
        """The job streams' keys."""
        return tuple(self._partitions)

    async def _ensure_group(self, stream: str, *, again: bool = False) -> None:
        if stream in self._grouped and not again:
            return
        try:
            await self._redis.xgroup_create(stream, GROUP, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._grouped.add(stream)

    def _partition(self, job_id: str) -> str:
        return self._partitions[zlib.crc32(job_id.encode()) % len(self._partitions)]

    async def submit(self, job: Job, worker: str = "") -> Claim | None:
        stream = self._partition(job.id)
        with unavailable():
            room = await self.room(stream)
            try:
                reply: Any = await self._submit(keys=[stream], args=self.submit_args(job, worker, room))
            except ResponseError as error:
                raise self.submit_error(error) from None
        return self.submitted(job, worker, stream, reply)

    async def room(self, stream: str) -> int:
        """Jobs `stream` may still take, once the other partitions' jobs are counted (the script
        counts its own partition's)."""
        others = 0
        if len(self._partitions) > 1:
            async with self._redis.pipeline(transaction=False) as pipe:
                for partition in self._partitions:
                    if partition != stream:
                        pipe.xlen(partition)
                others = sum(int(length) for length in await pipe.execute())
        await self._ensure_group(stream)
        return self._capacity - others

    # The steps of `submit`, for a caller that sends the script in a pipeline with other commands.

    def submit_script(self) -> str:
        return _SUBMIT

    def partition_of(self, job: Job) -> str:
        return self._partition(job.id)

    def submit_args(self, job: Job, worker: str, room: int) -> list[Any]:
        return [room, dumps(job), worker, GROUP]

    def submit_error(self, error: ResponseError) -> Exception:
        return queue_full(self._capacity) if "FULL" in str(error) else error

    def submitted(self, job: Job, worker: str, stream: str, reply: Any) -> Claim | None:
        if len(reply) < 3:
            return None
        added, entry_id, payload = reply
        if entry_id == added:
            # The job just sent: no need to decode it again (tens of microseconds for a long spec).
            return Claim(job, str(_Token(entry_id, worker, 1)), 1, stream, fence(worker, 1))
        return self._claim(stream, worker, entry_id, {"job": payload}, 1)

    async def claim(self, worker: str, wait: float) -> Claim | None:
        count = len(self._partitions)
        # One partition: block on it for the whole wait. Several (each maybe on its own shard, so
        # one XREADGROUP cannot cover them all): block on each in turn for a slice of the wait.
        slice_ms = int(wait * 1000) if count == 1 else max(50, int(wait * 1000 / (count * 4)))
        deadline = time.monotonic() + wait
        with unavailable():
            while True:
                for _ in range(count):
                    stream = self._partitions[self._next % count]
                    self._next += 1
                    remaining = int((deadline - time.monotonic()) * 1000)
                    block = min(slice_ms, remaining) if remaining > 0 else 0
                    claim = await self._claim_from(stream, worker, block)
                    if claim is not None:
                        return claim
                if time.monotonic() >= deadline:
                    return None

    async def _claim_from(self, stream: str, worker: str, block_ms: int) -> Claim | None:
        await self._ensure_group(stream)
        try:
            return await self._take(stream, worker, block_ms)
        except ResponseError as error:
            if "NOGROUP" not in str(error):
                raise
            # The stream or group vanished (a Redis without persistence restarted): recreate it.
            await self._ensure_group(stream, again=True)
            return None

    async def _take(self, stream: str, worker: str, block_ms: int) -> Claim | None:
        # A job whose worker stopped renewing its lease comes first: it is older, and half done.
        reclaimed: Any = await self._redis.xautoclaim(stream, GROUP, worker, self._lease_ms, "0-0", count=1)
        for entry_id, fields in reclaimed[1]:
            if not fields:
                continue
            pending = await self._redis.xpending_range(stream, GROUP, entry_id, entry_id, 1)
            attempt = int(pending[0]["times_delivered"]) if pending else 2
            return self._claim(stream, worker, entry_id, fields, attempt)
        batches: Any = await self._redis.xreadgroup(
            GROUP, worker, {stream: ">"}, count=1, block=block_ms or None
        )
        for _, fresh in batches or ():
            for entry_id, fields in fresh:
                return self._claim(stream, worker, entry_id, fields, 1)
        return None

    @staticmethod
    def _claim(stream: str, worker: str, entry_id: str, fields: dict[str, str], attempt: int) -> Claim:
        job: Job = from_jsonable(Job, json.loads(fields["job"]))
        return Claim(job, str(_Token(entry_id, worker, attempt)), attempt, stream, fence(worker, attempt))

    async def renew(self, claim: Claim) -> bool:
        token = _Token.parse(claim.token)
        with unavailable():
            kept = await self._keep(keys=[claim.partition], args=[GROUP, token.entry, token.worker, 0])
        return bool(kept)

    async def ack(self, claim: Claim) -> None:
        token = _Token.parse(claim.token)
        with unavailable():
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.xack(claim.partition, GROUP, token.entry)
                pipe.xdel(claim.partition, token.entry)
                await pipe.execute()

    async def release(self, claim: Claim) -> None:
        token = _Token.parse(claim.token)
        # Idle for longer than a lease: the next XAUTOCLAIM of any worker takes it.
        idle = self._lease_ms * 2
        with unavailable():
            await self._keep(keys=[claim.partition], args=[GROUP, token.entry, token.worker, idle])

    async def forget_idle_workers(self, worker: str, idle: float) -> int:
        removed = 0
        with unavailable():
            for stream in self._partitions:
                removed += int(await self._forget(keys=[stream], args=[GROUP, int(idle * 1000), worker]))
        return removed

    async def stats(self) -> QueueStats:
        waiting = running = 0
        oldest: float | None = None
        with unavailable():
            for stream in self._partitions:
                length = await self._redis.xlen(stream)
                if not length:
                    continue
                pending = 0
                try:
                    summary = await self._redis.xpending(stream, GROUP)
                    pending = int(summary["pending"])
                except ResponseError:
                    pass  # no group yet
                running += pending
                waiting += max(length - pending, 0)
                # Entries are deleted when acknowledged, so the first one is the oldest unfinished.
                first: Any = await self._redis.xrange(stream, count=1)
                if first:
                    millis = int(first[0][0].partition("-")[0])
                    oldest = millis / 1000 if oldest is None else min(oldest, millis / 1000)
        age = max(time.time() - oldest, 0.0) if oldest is not None else 0.0
        return QueueStats(waiting, running, age)
