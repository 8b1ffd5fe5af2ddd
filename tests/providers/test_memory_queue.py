"""The in-process event log and job queue."""

from __future__ import annotations

import asyncio

import pytest

from deckgen.domain import CapacityExceeded, GenerationFailed, GenerationSpec
from deckgen.domain._events import Failed, Progress, Stage
from deckgen.providers.queue import InProcessJobQueue, Job, JobKind, MemoryEventLog, StreamNotFound


async def test_readers_replay_then_follow_until_the_terminal_event() -> None:
    log = MemoryEventLog()
    await log.create("s")
    await log.append("s", Progress(Stage.OUTLINE, 0.1))

    async def collect(after: int) -> list[int]:
        return [event.sequence async for event in log.read("s", after)]

    early, late = asyncio.create_task(collect(0)), asyncio.create_task(collect(1))
    await asyncio.sleep(0)
    await log.append("s", Progress(Stage.SLIDES, 0.5))
    await log.append("s", Failed(GenerationFailed("boom")))
    assert await early == [1, 2, 3]
    assert await late == [2, 3]
    assert await collect(2) == [3]
    with pytest.raises(ValueError, match="ended"):
        await log.append("s", Progress(Stage.DONE, 1.0))


async def test_unknown_and_expired_streams() -> None:
    now = [1000.0]
    log = MemoryEventLog(retention=10, clock=lambda: now[0])
    with pytest.raises(StreamNotFound):
        async for _ in log.read("nope"):
            pass
    await log.create("s")
    await log.append("s", Failed(GenerationFailed("boom")))
    assert await log.exists("s")
    now[0] += 11
    assert not await log.exists("s")


async def test_queue_refuses_beyond_capacity_and_cancels() -> None:
    started = asyncio.Event()

    async def runner(job: Job) -> None:
        started.set()
        await asyncio.sleep(60)

    queue = InProcessJobQueue(runner, max_concurrent=1)
    await queue.submit(Job("a", JobKind.PRESENTATION, GenerationSpec(), 0))
    await started.wait()
    with pytest.raises(CapacityExceeded):
        await queue.submit(Job("b", JobKind.PRESENTATION, GenerationSpec(), 0))
    assert queue.active() == 1
    assert not await queue.wait_idle(0.01)
    assert await queue.cancel("a")
    assert await queue.wait_idle(1)
    assert not await queue.cancel("a")
