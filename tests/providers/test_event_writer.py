"""The worker's event writer: in order, several events per call, and it stops at the first refusal."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from deckgen.domain import GenerationFailed
from deckgen.domain._events import Event, Failed, Progress, Stage
from deckgen.pipeline._writer import EventWriter
from deckgen.providers.queue import MemoryEventLog, StreamFenced


class CountingLog(MemoryEventLog):
    """The in-process log, counting the calls that reach it (each is a round trip to Redis)."""

    appends_at_once = False  # it waits, as Redis would

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[int] = []

    async def append_many(self, stream: str, events: Sequence[tuple[Event, float]], fence: str = "") -> int:
        self.calls.append(len(events))
        await asyncio.sleep(0.01)  # a round trip, during which the generation goes on
        return await super().append_many(stream, events, fence)


def step(n: int) -> Progress:
    return Progress(Stage.SLIDES, n / 100, f"step {n}")


async def test_events_queued_during_a_call_go_together_in_the_next_in_order() -> None:
    log = CountingLog()
    await log.create("s")
    await log.fence("s", "w")
    writer = EventWriter(log, "s", "w")
    for n in range(1, 11):
        await writer.put(step(n))
    await writer.append(Failed(GenerationFailed("boom")))
    history = await log.history("s")
    assert [e.sequence for e in history] == list(range(1, 12))
    assert [getattr(e.event, "message", "") for e in history[:10]] == [f"step {n}" for n in range(1, 11)]
    assert history[-1].terminal
    assert len(log.calls) < 11 and sum(log.calls) == 11  # batched, none lost


async def test_a_fenced_writer_stops_and_says_so_at_the_next_event() -> None:
    log = MemoryEventLog()
    await log.create("s")
    await log.fence("s", "first")
    writer = EventWriter(log, "s", "first")
    await writer.append(step(1))
    await log.fence("s", "second")  # another worker took the job over
    await writer.put(step(2))
    with pytest.raises(StreamFenced):
        await writer.flush()
    with pytest.raises(StreamFenced):
        await writer.put(step(3))
    assert [e.sequence for e in await log.history("s")] == [1]


async def test_a_cancelled_flush_leaves_the_writer_writing() -> None:
    """A generation cancelled while it waits for its events: they are still written, in order,
    for the terminal event that follows."""
    log = CountingLog()
    await log.create("s")
    await log.fence("s", "w")
    writer = EventWriter(log, "s", "w")
    await writer.put(step(1))
    waiting = asyncio.create_task(writer.flush())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await writer.append(Failed(GenerationFailed("cancelled")))
    assert [e.sequence for e in await log.history("s")] == [1, 2]


async def test_with_a_linger_events_nobody_waits_for_leave_with_the_next_one_waited_for() -> None:
    log = CountingLog()
    await log.create("s")
    await log.fence("s", "w")
    writer = EventWriter(log, "s", "w", linger=5.0)
    for n in range(1, 6):
        await writer.put(step(n))
    await writer.append(step(6))  # a slide, say: it does not linger, and takes the others along
    assert log.calls == [6]
    assert [e.sequence for e in await log.history("s")] == list(range(1, 7))


async def test_a_lingering_event_is_appended_once_the_linger_is_over() -> None:
    log = CountingLog()
    await log.create("s")
    await log.fence("s", "w")
    writer = EventWriter(log, "s", "w", linger=0.02)
    await writer.put(step(1))
    await asyncio.sleep(0.005)
    assert await log.history("s") == []  # still lingering for company
    await asyncio.sleep(0.2)
    assert [e.sequence for e in await log.history("s")] == [1]
    assert log.calls == [1]


async def test_nothing_is_appended_before_the_step_it_waits_for_and_nothing_if_that_fails() -> None:
    log = MemoryEventLog()
    await log.create("s")
    await log.fence("s", "w")
    writer = EventWriter(log, "s", "w")
    record: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    writer.after(record)  # the record, say, written while the generation starts
    await writer.put(step(1))
    await asyncio.sleep(0.01)
    assert await log.history("s") == []
    record.set_result(None)
    await writer.append(step(2))
    assert [e.sequence for e in await log.history("s")] == [1, 2]

    failing = EventWriter(log, "s", "w")
    lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    failing.after(lost)
    await failing.put(step(3))
    lost.set_exception(StreamFenced("s"))
    with pytest.raises(StreamFenced):
        await failing.flush()
    assert [e.sequence for e in await log.history("s")] == [1, 2]


async def test_an_awaited_event_with_nothing_before_it_is_in_the_log_without_a_turn_of_the_loop() -> None:
    # On a busy loop a turn is everything else ready at the time: a slide would wait behind it.
    log = MemoryEventLog()
    await log.create("s")
    await log.fence("s", "w")
    writer = EventWriter(log, "s", "w")
    turned: list[bool] = []
    asyncio.get_running_loop().call_soon(turned.append, True)
    await writer.append(step(1))
    assert not turned
    assert [e.sequence for e in await log.history("s")] == [1]
    await writer.put(step(2))  # queued: the next awaited event goes behind it, through the writer
    await writer.append(step(3))
    assert [getattr(e.event, "message", "") for e in await log.history("s")] == ["step 1", "step 2", "step 3"]


async def test_a_log_that_waits_takes_even_a_lone_awaited_event_through_the_writer() -> None:
    log = CountingLog()
    await log.create("s")
    await log.fence("s", "w")
    writer = EventWriter(log, "s", "w")
    appending = asyncio.create_task(writer.append(step(1)))
    await asyncio.sleep(0.002)
    appending.cancel()  # the caller leaves mid round trip: the writer's task still appends it
    with pytest.raises(asyncio.CancelledError):
        await appending
    await writer.flush()
    assert [e.sequence for e in await log.history("s")] == [1]
