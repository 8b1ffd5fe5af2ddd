"""A generation opened in one round trip: stream, record, job and fence, with every guarantee kept.

The stream is fenced for the submitting worker's claim before the claim exists; these check that
the fence is that claim's and nobody else's: the claim writes under it, a takeover shuts it out,
and a job claimed later (another job went first) is fenced as usual.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from deckgen.domain import CapacityExceeded, GenerationSpec, Presentation, PresentationState
from deckgen.domain import _events as ev
from deckgen.domain._codec import to_jsonable
from deckgen.domain._events import Accepted, Event, Progress, Stage
from deckgen.providers.queue import Job, JobKind, StreamFenced
from deckgen.providers.redis import Keys, RedisEventLog, RedisJobQueue, RedisOpener, RedisRecords, connect
from tests.support.redis import REDIS_URL, isolated_prefix

LEASE = 0.5


@dataclass
class Replica:
    events: RedisEventLog
    records: RedisRecords
    queue: RedisJobQueue
    opener: RedisOpener


@pytest.fixture
async def replicas() -> AsyncIterator[tuple[Replica, Replica]]:
    """Two replicas on one Redis, with room for two queued jobs."""
    async with isolated_prefix() as prefix:
        client = connect(REDIS_URL)
        keys = Keys(prefix)

        def replica() -> Replica:
            events = RedisEventLog(client, keys, retention=60, lifetime=60)
            records = RedisRecords(client, keys, 60)
            queue = RedisJobQueue(client, keys, partitions=1, capacity=2, lease=LEASE)
            return Replica(events, records, queue, RedisOpener(client, keys, events, records, queue))

        try:
            yield replica(), replica()
        finally:
            await client.aclose()


def job(name: str) -> Job:
    return Job(name, JobKind.PRESENTATION, GenerationSpec(topic=name), time.time() + 3600)


def record(name: str) -> Presentation:
    return Presentation(name, PresentationState.PENDING, create_time=1.0, update_time=1.0)


def running(name: str) -> Presentation:
    return Presentation(name, PresentationState.GENERATING, create_time=1.0, update_time=1.0)


def step(n: int) -> tuple[Progress, float]:
    return Progress(Stage.SLIDES, n / 100, f"step {n}"), float(n)


async def test_the_submitting_worker_gets_its_job_with_the_stream_fenced_for_it(
    replicas: tuple[Replica, Replica],
) -> None:
    here, there = replicas
    first: list[Event] = [Accepted(record("a")), ev.Warning("SOURCE_CONVERTED", "a note")]
    claim, history = await here.opener.open(job("a"), first, record("a"), "w1", running("a"))

    assert claim is not None and claim.job.id == "a" and claim.attempt == 1
    assert history is not None and [e.sequence for e in history] == [1, 2]
    stored = await there.events.history("a")
    assert [to_jsonable(e.event) for e in stored] == [to_jsonable(e) for e in first]
    assert [e.time for e in stored] == [e.time for e in history]
    assert await there.records.get("a") == running("a")  # its worker need not write it
    # Written under the claim's fence, with nothing else in between (no fence call of its own).
    assert await here.events.append_many("a", [step(3)], fence=claim.stream_fence) == 3

    # Its lease lapses: the worker that takes it over fences the stream, and the first is shut out.
    await asyncio.sleep(LEASE * 1.5)
    taken = await there.queue.claim("w2", wait=1.0)
    assert taken is not None and taken.job.id == "a" and taken.attempt == 2
    assert taken.stream_fence != claim.stream_fence
    assert [e.sequence for e in await there.events.fence("a", taken.stream_fence)] == [1, 2, 3]
    with pytest.raises(StreamFenced):
        await here.events.append_many("a", [step(99)], fence=claim.stream_fence)
    assert await there.events.append_many("a", [step(4)], fence=taken.stream_fence) == 4


async def test_a_reader_where_the_job_was_opened_follows_it_from_memory_and_after_a_takeover(
    replicas: tuple[Replica, Replica],
) -> None:
    here, there = replicas
    claim, _ = await here.opener.open(job("a"), [Accepted(record("a"))], record("a"), "w1")
    assert claim is not None
    reader = here.events.read("a")
    assert (await anext(reader)).sequence == 1
    await here.events.append_many("a", [step(2)], fence=claim.stream_fence)
    assert (await asyncio.wait_for(anext(reader), 5)).sequence == 2
    await there.events.fence("a", "elsewhere")
    await there.events.append_many("a", [step(3)], fence="elsewhere")
    later = await asyncio.wait_for(anext(reader), 5)
    assert (later.sequence, later.time) == (3, 3.0)
    await reader.aclose()


async def test_a_job_waiting_before_it_is_claimed_instead_and_its_own_is_fenced_later(
    replicas: tuple[Replica, Replica],
) -> None:
    here, _ = replicas
    await here.events.create("older", Accepted(record("older")))
    assert await here.queue.submit(job("older")) is None

    claim, history = await here.opener.open(
        job("a"), [Accepted(record("a"))], record("a"), "w1", running("a")
    )
    assert claim is not None and claim.job.id == "older" and history is None
    assert await here.records.get("a") == record("a")  # waiting after all
    later = await here.queue.claim("w1", wait=1.0)
    assert later is not None and later.job.id == "a" and later.attempt == 1
    assert [e.sequence for e in await here.events.fence("a", later.stream_fence)] == [1]
    assert await here.events.append_many("a", [step(2)], fence=later.stream_fence) == 2


async def test_without_a_worker_the_job_waits_for_any_and_its_stream_is_not_fenced(
    replicas: tuple[Replica, Replica],
) -> None:
    here, there = replicas
    claim, history = await here.opener.open(job("a"), [Accepted(record("a"))], record("a"))
    assert claim is None and history is None
    taken = await there.queue.claim("w2", wait=1.0)
    assert taken is not None and taken.job.id == "a"
    with pytest.raises(StreamFenced):  # nobody's fence until a worker sets its own
        await there.events.append_many("a", [step(2)], fence=taken.stream_fence)
    await there.events.fence("a", taken.stream_fence)
    assert await there.events.append_many("a", [step(2)], fence=taken.stream_fence) == 2


async def test_a_full_queue_refuses_the_job_and_leaves_its_stream_and_record_to_be_ended(
    replicas: tuple[Replica, Replica],
) -> None:
    here, _ = replicas
    for name in ("x", "y"):
        await here.queue.submit(job(name))
    with pytest.raises(CapacityExceeded):
        await here.opener.open(job("a"), [Accepted(record("a"))], record("a"), "w1")
    assert await here.records.get("a") == record("a")
    stats = await here.queue.stats()
    assert stats.waiting + stats.running == 2  # "x" and "y": nothing of "a" was enqueued
    assert [e.sequence for e in await here.events.history("a")] == [1]
