"""One contract for every implementation of the queue, event log and shared-state ports.

Each test runs against the in-process implementations and against the real Redis (a key prefix
of its own), so that the embedded default and the shared one behave the same for the pipeline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

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
from deckgen.pipeline import Coordination
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
    await log.fence("s", "first")
    await log.append("s", Progress(Stage.OUTLINE, 0.1), fence="first")
    await log.fence("s", "second")  # a worker took the job over
    with pytest.raises(StreamFenced):
        await log.append("s", Progress(Stage.SLIDES, 0.5), fence="first")
    await log.append("s", Progress(Stage.SLIDES, 0.5), fence="second")
    assert await log.last_sequence("s") == 2


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
