"""One contract for every implementation of the queue, event log and shared-state ports.

Each test runs against the in-process implementations and against the real Redis (a key prefix
of its own), so that the embedded default and the shared one behave the same for the pipeline.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import typing
from collections.abc import AsyncIterator

import pytest
from redis.exceptions import ResponseError

from deckgen.domain import (
    Cancelled,
    CapacityExceeded,
    GenerationFailed,
    GenerationSpec,
    Presentation,
    PresentationState,
    Usage,
)
from deckgen.domain import _events as ev
from deckgen.domain._codec import to_jsonable
from deckgen.domain._events import Failed, Progress, Stage
from deckgen.pipeline import Coordination, PipelineDeps, Worker
from deckgen.providers.queue import (
    Job,
    JobKind,
    MemoryEventLog,
    MemoryJobQueue,
    StreamFenced,
    StreamNotFound,
)
from deckgen.providers.redis import (
    Keys,
    RedisCancelSignals,
    RedisEventLog,
    RedisJobQueue,
    RedisReaders,
    RedisRecords,
    connect,
)
from deckgen.providers.redis._queue import GROUP
from deckgen.providers.state import (
    MemoryCancelSignals,
    MemoryReaders,
    MemoryRecords,
    RequestBinding,
    TTLMap,
)
from tests.support.redis import REDIS_URL, isolated_prefix

LEASE = 1.0
CAPACITY = 3


@pytest.fixture(params=["memory", "redis"])
async def shared(request: pytest.FixtureRequest) -> AsyncIterator[Coordination]:
    if request.param == "memory":
        yield Coordination(
            MemoryJobQueue(CAPACITY, LEASE),
            MemoryEventLog(),
            MemoryRecords(60),
            MemoryReaders(),
            MemoryCancelSignals(),
        )
        return
    async with isolated_prefix() as prefix:
        client = connect(REDIS_URL)
        keys = Keys(prefix)
        try:
            yield Coordination(
                RedisJobQueue(client, keys, partitions=2, capacity=CAPACITY, lease=LEASE),
                RedisEventLog(client, keys, retention=60, lifetime=60),
                RedisRecords(client, keys, 60),
                RedisReaders(client, keys),
                RedisCancelSignals(client, keys, 60),
            )
        finally:
            await client.aclose()


DEADLINE = time.time() + 3600


def job(name: str) -> Job:
    return Job(name, JobKind.PRESENTATION, GenerationSpec(topic=f"about {name}"), DEADLINE)


# -- event log ---------------------------------------------------------------------------------------


async def test_readers_replay_then_follow_until_the_terminal_event(shared: Coordination) -> None:
    log = shared.events
    await log.create("s")
    await log.append("s", Progress(Stage.OUTLINE, 0.1))

    async def collect(after: int) -> list[int]:
        return [event.sequence async for event in log.read("s", after)]

    early, late = asyncio.create_task(collect(0)), asyncio.create_task(collect(1))
    await asyncio.sleep(0.05)
    await log.append("s", ev.Warning("W", "a warning", 2))
    await log.append("s", Failed(GenerationFailed("boom")))
    assert await early == [1, 2, 3]
    assert await late == [2, 3]
    assert await collect(2) == [3]
    history = await log.history("s")
    # Errors compare by identity: compare what the codec makes of them.
    assert [to_jsonable(e.event) for e in history] == [
        to_jsonable(event)
        for event in (
            Progress(Stage.OUTLINE, 0.1),
            ev.Warning("W", "a warning", 2),
            Failed(GenerationFailed("boom")),
        )
    ]
    assert await log.last_sequence("s") == 3
    with pytest.raises(ValueError, match="ended"):
        await log.append("s", Progress(Stage.DONE, 1.0))


async def test_unknown_streams_and_deletion(shared: Coordination) -> None:
    log = shared.events
    with pytest.raises(StreamNotFound):
        async for _ in log.read("nope"):
            pass
    with pytest.raises(StreamNotFound):
        await log.history("nope")
    with pytest.raises(StreamNotFound):
        await log.last_sequence("nope")
    with pytest.raises(StreamNotFound):
        await log.append("nope", Progress(Stage.DONE, 1.0))
    await log.create("s")
    with pytest.raises(ValueError, match="exists"):
        await log.create("s")
    assert await log.exists("s")
    assert await log.last_sequence("s") == 0
    await log.delete("s")
    assert not await log.exists("s")


async def test_a_fenced_stream_takes_appends_only_from_its_holder(shared: Coordination) -> None:
    log = shared.events
    await log.create("s")
    assert await log.fence("s", "first") == []
    await log.append("s", Progress(Stage.OUTLINE, 0.1), fence="first")
    # A worker took the job over: it gets what was written so far, and the first holder is shut out.
    taken = await log.fence("s", "second")
    assert [(e.sequence, to_jsonable(e.event)) for e in taken] == [
        (1, to_jsonable(Progress(Stage.OUTLINE, 0.1)))
    ]
    with pytest.raises(StreamFenced):
        await log.append("s", Progress(Stage.SLIDES, 0.5), fence="first")
    with pytest.raises(StreamFenced):
        await log.append_many("s", [(Progress(Stage.SLIDES, 0.5), 1.0)], fence="first")
    await log.append("s", Progress(Stage.SLIDES, 0.5), fence="second")
    assert await log.last_sequence("s") == 2
    with pytest.raises(StreamNotFound):
        await log.fence("nope", "first")


async def test_a_stream_can_open_with_its_first_event(shared: Coordination) -> None:
    log = shared.events
    await log.create("s", Progress(Stage.OUTLINE, 0.01))
    assert await log.last_sequence("s") == 1
    with pytest.raises(ValueError, match="exists"):
        await log.create("s", Progress(Stage.OUTLINE, 0.01))
    assert [e.sequence async for e in _until(log.read("s"), 1)] == [1]


async def test_many_events_are_appended_in_order_in_one_call(shared: Coordination) -> None:
    log = shared.events
    await log.create("s")
    await log.fence("s", "w")
    reader = asyncio.create_task(_collect(log.read("s")))
    await asyncio.sleep(0.05)
    assert await log.append_many("s", [(Progress(Stage.OUTLINE, 0.1), 10.0)], fence="w") == 1
    batch = [(ev.Warning("W", f"warning {n}"), 11.0 + n) for n in range(3)]
    assert await log.append_many("s", [*batch, (Failed(GenerationFailed("boom")), 20.0)], fence="w") == 5
    events = await asyncio.wait_for(reader, 5)
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert [e.time for e in events] == [10.0, 11.0, 12.0, 13.0, 20.0]
    assert [getattr(e.event, "message", "") for e in events[1:4]] == ["warning 0", "warning 1", "warning 2"]
    with pytest.raises(ValueError, match="ended"):
        await log.append_many("s", [(Progress(Stage.DONE, 1.0), 21.0)], fence="w")
    # A terminal event in the middle would leave events after the end: refused, nothing written.
    await log.create("t")
    with pytest.raises(ValueError, match="last"):
        await log.append_many(
            "t", [(Failed(GenerationFailed("boom")), 1.0), (Progress(Stage.DONE, 1.0), 2.0)]
        )
    assert await log.last_sequence("t") == 0


async def _collect(events: AsyncIterator[ev.SequencedEvent]) -> list[ev.SequencedEvent]:
    return [event async for event in events]


async def _until(events: AsyncIterator[ev.SequencedEvent], count: int) -> AsyncIterator[ev.SequencedEvent]:
    seen = 0
    async for event in events:
        yield event
        seen += 1
        if seen == count:
            return


async def test_expired_memory_streams_are_dropped() -> None:
    now = [1000.0]
    log = MemoryEventLog(retention=10, clock=lambda: now[0], lifetime=100)
    await log.create("done")
    await log.create("stuck")
    await log.append("done", Failed(GenerationFailed("boom")))
    now[0] += 11
    assert not await log.exists("done")
    assert await log.exists("stuck")
    now[0] += 100
    assert not await log.exists("stuck")


# -- job queue ---------------------------------------------------------------------------------------


async def test_jobs_are_claimed_once_then_acknowledged(shared: Coordination) -> None:
    queue = shared.queue
    assert await queue.claim("w1", 0.05) is None
    await queue.submit(job("a"))
    claim = await queue.claim("w1", 1.0)
    assert claim is not None and claim.job == job("a") and claim.attempt == 1
    assert await queue.claim("w2", 0.05) is None
    stats = await queue.stats()
    assert (stats.waiting, stats.running) == (0, 1)
    assert stats.oldest_age >= 0
    await queue.ack(claim)
    assert (await queue.stats()).running == 0
    assert await queue.claim("w2", 0.05) is None


async def test_a_waiting_worker_gets_a_job_submitted_meanwhile(shared: Coordination) -> None:
    waiting = asyncio.create_task(shared.queue.claim("w1", 2.0))
    await asyncio.sleep(0.1)
    await shared.queue.submit(job("late"))
    claim = await waiting
    assert claim is not None and claim.job.id == "late"


async def test_a_lapsed_lease_hands_the_job_to_another_worker(shared: Coordination) -> None:
    queue = shared.queue
    await queue.submit(job("a"))
    first = await queue.claim("w1", 1.0)
    assert first is not None
    await asyncio.sleep(LEASE * 0.5)
    assert await queue.renew(first)
    assert await queue.claim("w2", 0.05) is None  # renewed: still w1's
    await asyncio.sleep(LEASE * 1.3)
    second = await queue.claim("w2", 0.5)
    assert second is not None and second.job.id == "a" and second.attempt == 2
    assert second.token != first.token
    assert not await queue.renew(first)  # w1 lost it
    assert await queue.renew(second)


async def test_a_released_job_is_taken_at_once(shared: Coordination) -> None:
    queue = shared.queue
    await queue.submit(job("a"))
    first = await queue.claim("w1", 1.0)
    assert first is not None
    await queue.release(first)
    second = await queue.claim("w2", 0.5)
    assert second is not None and second.job.id == "a" and second.attempt == 2


async def test_a_full_queue_refuses_more(shared: Coordination) -> None:
    for index in range(CAPACITY):
        await shared.queue.submit(job(f"j{index}"))
    with pytest.raises(CapacityExceeded):
        await shared.queue.submit(job("one-too-many"))
    assert (await shared.queue.stats()).waiting == CAPACITY


# -- records, readers, cancel signals ----------------------------------------------------------------


async def test_records_keep_the_whole_presentation(shared: Coordination) -> None:
    presentation = Presentation(
        "p1", PresentationState.GENERATING, usage=Usage(3, 4, 1), request_id="r", create_time=1.5
    )
    assert await shared.records.get("p1") is None
    await shared.records.put(presentation)
    assert await shared.records.get("p1") == presentation


async def test_a_request_id_binds_once(shared: Coordination) -> None:
    records = shared.records
    first = RequestBinding("fp", "p1")
    assert await records.bind_request("r", first) is None
    assert await records.bind_request("r", RequestBinding("fp", "p2")) == first
    assert await records.request("r") == first
    await records.unbind_request("r", "p2")  # not bound to p2: nothing changes
    assert await records.request("r") == first
    await records.unbind_request("r", "p1")
    assert await records.request("r") is None


async def test_readers_are_counted_across_attachments(shared: Coordination) -> None:
    readers = shared.readers
    await readers.attach("s", "r1")
    await readers.attach("s", "r2")
    await readers.attach("s", "r2")  # a renewal
    assert await readers.count("s") == 2
    assert await readers.detach("s", "r1") == 1
    assert await readers.detach("s", "r2") == 0
    assert await readers.count("other") == 0


async def test_a_cancellation_reaches_listeners_and_stays_readable(shared: Coordination) -> None:
    heard: list[str] = []

    async def listen() -> None:
        async for job_id in shared.cancels.listen():
            heard.append(job_id)
            return

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0.2)  # subscribed
    cancellation = Cancelled("gone", reason="CLIENT_CANCELLED")
    await shared.cancels.send("j1", cancellation)
    await asyncio.wait_for(listener, 5)
    assert heard == ["j1"]
    assert to_jsonable(await shared.cancels.get("j1")) == to_jsonable(cancellation)
    assert await shared.cancels.get("j2") is None


def test_memory_maps_forget_old_entries_and_stay_bounded() -> None:
    now = [0.0]
    entries: TTLMap[int] = TTLMap(ttl=10, max_entries=3, clock=lambda: now[0])
    for index in range(5):
        entries.set(f"k{index}", index)
    assert len(entries) == 3 and entries.get("k0") is None and entries.get("k4") == 4
    now[0] = 11
    assert len(entries) == 0


async def test_every_redis_key_expires() -> None:
    """Nothing of a generation stays in Redis for good: each key it writes carries a TTL."""
    async with isolated_prefix() as prefix:
        client = connect(REDIS_URL)
        keys = Keys(prefix)
        try:
            log = RedisEventLog(client, keys, retention=60, lifetime=60)
            await log.create("s")
            await log.append("s", Progress(Stage.OUTLINE, 0.1))
            await RedisRecords(client, keys, 60).put(Presentation("s", PresentationState.GENERATING))
            await RedisRecords(client, keys, 60).bind_request("r", RequestBinding("fp", "s"))
            await RedisReaders(client, keys).attach("s", "reader")
            await RedisCancelSignals(client, keys, 60).send("s", Cancelled("gone"))
            written = [key async for key in client.scan_iter(match=f"{prefix}*")]
            assert len(written) == 6
            assert all([await client.ttl(key) > 0 for key in written])
            await log.append("s", Failed(GenerationFailed("boom")))
            assert all([0 < await client.ttl(key) <= 120 for key in written])
        finally:
            await client.aclose()


async def test_workers_that_died_are_forgotten_unless_they_hold_a_job(shared: Coordination) -> None:
    queue = shared.queue
    await queue.submit(job("done"))
    finished = await queue.claim("gone-idle", 1.0)
    assert finished is not None
    await queue.ack(finished)
    await queue.submit(job("held"))
    held = await queue.claim("gone-holding", 1.0)
    assert held is not None
    assert await queue.claim("alive", 0.05) is None
    await asyncio.sleep(0.3)
    assert await queue.forget_idle_workers("alive", idle=10.0) == 0  # nobody idle that long
    forgotten = await queue.forget_idle_workers("alive", idle=0.2)
    if isinstance(queue, RedisJobQueue):
        assert forgotten == 1
        names = await consumer_names(queue)
        assert "gone-idle" not in names and "gone-holding" in names
    else:
        assert forgotten == 0  # an in-process queue keeps no names
    # The job of the one that holds something is still there for a takeover.
    assert await queue.renew(held)


async def consumer_names(queue: RedisJobQueue) -> set[str]:
    names: set[str] = set()
    client = connect(REDIS_URL)
    try:
        for stream in queue.partitions:
            with contextlib.suppress(ResponseError):  # a partition no job went to has no group
                for consumer in await client.xinfo_consumers(stream, GROUP):
                    names.add(consumer["name"])
    finally:
        await client.aclose()
    return names


async def test_a_live_worker_forgets_dead_ones_by_itself() -> None:
    """No one has to call anything: a running worker clears dead workers' names periodically."""
    async with isolated_prefix() as prefix:
        client = connect(REDIS_URL)
        queue = RedisJobQueue(client, Keys(prefix), partitions=1, capacity=CAPACITY, lease=60)
        shared = Coordination(
            queue,
            RedisEventLog(client, Keys(prefix), retention=60, lifetime=60),
            RedisRecords(client, Keys(prefix), 60),
            RedisReaders(client, Keys(prefix)),
            RedisCancelSignals(client, Keys(prefix), 60),
        )
        # No job reaches this worker (a lease of a minute: nothing is taken over), so it needs no engine.
        worker = Worker(
            typing.cast("PipelineDeps", None),
            shared,
            name="alive",
            concurrency=1,
            lease=60,
            max_attempts=3,
            forget_every=0.2,
            forget_after=0.5,
        )
        try:
            await queue.submit(job("done"))
            finished = await queue.claim("gone-idle", 1.0)
            assert finished is not None
            await queue.ack(finished)
            await queue.submit(job("held"))
            assert await queue.claim("gone-holding", 1.0) is not None
            await worker.start()
            for _ in range(100):  # the worker looks every 0.2 s
                names = await consumer_names(queue)
                if "gone-idle" not in names:
                    break
                await asyncio.sleep(0.1)
            assert "gone-idle" not in names
            assert "gone-holding" in names  # its job waits for its lease to lapse, then a takeover
        finally:
            await worker.stop()
            await client.aclose()


async def test_a_job_can_be_claimed_as_it_is_submitted(shared: Coordination) -> None:
    queue = shared.queue
    claim = await queue.submit(job("mine"), worker="w1")
    assert claim is not None and claim.job == job("mine") and claim.attempt == 1
    assert await queue.claim("w2", 0.05) is None  # held: nobody else gets it
    assert await queue.renew(claim)
    await queue.release(claim)  # and it is a job like any other: handed back, another continues it
    again = await queue.claim("w2", 1.0)
    assert again is not None and again.job.id == "mine" and again.attempt == 2


async def test_a_submitting_worker_takes_the_oldest_waiting_job(shared: Coordination) -> None:
    """Jobs already waiting come first, even for the worker of the replica that was called."""
    queue = shared.queue
    # Both names land in one partition of the Redis queue (its order is per partition).
    assert await queue.submit(job("older-1")) is None
    claim = await queue.submit(job("newer-1"), worker="w1")
    assert claim is not None and claim.job.id == "older-1"
    waiting = await queue.claim("w2", 1.0)
    assert waiting is not None and waiting.job.id == "newer-1"


async def test_a_waiting_claim_takes_a_lapsed_job_when_its_lease_runs_out(shared: Coordination) -> None:
    # The in-process queue is claimed with a long wait (an idle server wakes for nothing): the
    # claim still returns when a held lease lapses, not when the wait ends. A shared queue's
    # claim waits at most what it was given, so the worker asks it every second.
    queue = shared.queue
    await queue.submit(job("a"))
    first = await queue.claim("w1", 1.0)
    assert first is not None
    loop = asyncio.get_running_loop()
    started = loop.time()
    second = await queue.claim("w2", LEASE * 20 if not queue.shared else LEASE * 1.5)
    assert second is not None and second.job.id == "a" and second.attempt == 2
    assert loop.time() - started < LEASE * 1.5
