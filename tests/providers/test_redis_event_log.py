"""The Redis event log's readers in the writing process: served from memory, never stranded there.

Two `RedisEventLog` objects on one Redis stand for two replicas. A reader on the replica whose
worker writes the stream gets each event as soon as Redis has it; when the job moves to the other
replica (it fences the stream), that reader goes on from Redis with no gap and no duplicate.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from deckgen.domain import GenerationFailed
from deckgen.domain._events import Failed, Progress, SequencedEvent, Stage
from deckgen.providers.queue import StreamFenced
from deckgen.providers.redis import Keys, RedisEventLog, connect
from tests.support.redis import REDIS_URL, isolated_prefix


@pytest.fixture
async def replicas() -> AsyncIterator[tuple[RedisEventLog, RedisEventLog]]:
    async with isolated_prefix() as prefix:
        client = connect(REDIS_URL)
        try:
            yield (
                RedisEventLog(client, Keys(prefix), retention=60, lifetime=60),
                RedisEventLog(client, Keys(prefix), retention=60, lifetime=60),
            )
        finally:
            await client.aclose()


def step(n: int) -> tuple[Progress, float]:
    return Progress(Stage.SLIDES, n / 100, f"step {n}"), float(n)


async def take(events: AsyncIterator[SequencedEvent], count: int) -> list[SequencedEvent]:
    taken: list[SequencedEvent] = []
    async for event in events:
        taken.append(event)
        if len(taken) == count:
            break
    return taken


async def test_a_local_reader_follows_the_stream_when_another_replica_takes_it_over(
    replicas: tuple[RedisEventLog, RedisEventLog],
) -> None:
    here, there = replicas
    await here.create("s", Progress(Stage.OUTLINE, 0.01, "accepted"))
    assert [e.sequence for e in await here.fence("s", "first")] == [1]
    reader = here.read("s")
    await here.append_many("s", [step(2), step(3)], fence="first")
    assert [e.sequence for e in await asyncio.wait_for(take(reader, 3), 5)] == [1, 2, 3]

    # The job moves: the other replica fences the stream and writes on; this one is shut out.
    history = await there.fence("s", "second")
    assert [e.sequence for e in history] == [1, 2, 3]
    with pytest.raises(StreamFenced):
        await here.append_many("s", [step(99)], fence="first")
    await there.append_many("s", [step(4), step(5)], fence="second")
    await there.append_many("s", [(Failed(GenerationFailed("boom")), 6.0)], fence="second")
    rest = await asyncio.wait_for(take(reader, 10), 5)
    assert [e.sequence for e in rest] == [4, 5, 6]
    assert [e.time for e in rest] == [4.0, 5.0, 6.0]  # the other replica's events, not step 99
    assert rest[-1].terminal


async def test_a_local_reader_notices_a_takeover_even_when_its_writer_falls_silent(
    replicas: tuple[RedisEventLog, RedisEventLog],
) -> None:
    """A writer that lost its job without trying to write again (its lease lapsed) says nothing:
    its readers find out by asking Redis after a quiet second."""
    here, there = replicas
    await here.create("s")
    await here.fence("s", "first")
    await here.append_many("s", [step(1)], fence="first")
    reader = here.read("s")
    assert [e.sequence for e in await asyncio.wait_for(take(reader, 1), 5)] == [1]
    await there.fence("s", "second")
    await there.append_many("s", [step(2), (Failed(GenerationFailed("boom")), 3.0)], fence="second")
    rest = await asyncio.wait_for(take(reader, 10), 5)
    assert [e.sequence for e in rest] == [2, 3]


async def test_a_reader_that_started_before_the_writer_moves_to_memory_without_a_gap(
    replicas: tuple[RedisEventLog, RedisEventLog],
) -> None:
    here, _ = replicas
    await here.create("s", Progress(Stage.OUTLINE, 0.01, "accepted"))
    reader = here.read("s")  # a caller that attached before any worker claimed the job
    first = asyncio.create_task(take(reader, 1))
    assert [e.sequence for e in await asyncio.wait_for(first, 5)] == [1]
    await here.fence("s", "first")
    for n in range(2, 7):
        await here.append_many("s", [step(n)], fence="first")
    await here.append_many("s", [(Failed(GenerationFailed("boom")), 7.0)], fence="first")
    rest = await asyncio.wait_for(take(reader, 10), 5)
    assert [e.sequence for e in rest] == [2, 3, 4, 5, 6, 7]
    # A finished stream is no longer kept in memory: later readers get it from Redis, whole.
    assert [e.sequence async for e in here.read("s")] == [1, 2, 3, 4, 5, 6, 7]


async def test_a_reader_that_starts_while_its_replica_fences_the_stream_reads_it_from_memory(
    replicas: tuple[RedisEventLog, RedisEventLog], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller of a job this replica's worker took as it was submitted starts reading while
    the worker is still fencing the stream: it waits for that, and asks Redis nothing."""
    here, _ = replicas
    await here.create("s", Progress(Stage.OUTLINE, 0.01, "accepted"))
    client = here._redis
    asked: list[str] = []
    for name in ("exists", "xread"):
        command = getattr(client, name)

        async def counting(*args: object, _name: str = name, _command: object = command) -> object:
            asked.append(_name)
            return await _command(*args)  # type: ignore[operator]

        monkeypatch.setattr(client, name, counting)
    fencing = asyncio.create_task(here.fence("s", "first"))
    await asyncio.sleep(0)  # the fence is on its way to Redis
    reader = asyncio.create_task(take(here.read("s"), 3))
    await fencing
    for n in (2, 3):
        await here.append_many("s", [step(n)], fence="first")
    assert [e.sequence for e in await asyncio.wait_for(reader, 5)] == [1, 2, 3]
    assert asked == []
