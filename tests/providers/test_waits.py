"""WaitLimit: it ends waits that run too long, and never the work between them."""

from __future__ import annotations

import asyncio

import pytest

from deckgen.providers.llm._waits import WaitLimit


async def test_a_silent_wait_times_out_after_the_idle_limit() -> None:
    loop = asyncio.get_running_loop()
    limit = WaitLimit(loop.time() + 30, idle=0.1)
    started = loop.time()
    with pytest.raises(TimeoutError):
        await limit.wait(loop.create_future())
    assert 0.09 <= loop.time() - started < 5
    limit.close()


async def test_waits_that_each_end_in_time_never_time_out_however_long_the_stream() -> None:
    loop = asyncio.get_running_loop()
    limit = WaitLimit(loop.time() + 30, idle=0.2)
    for _ in range(8):
        await limit.wait(asyncio.sleep(0.05))  # 0.4 s in all: twice the idle limit
    limit.close()


async def test_work_between_waits_is_never_cancelled_and_the_next_wait_fails_past_the_deadline() -> None:
    loop = asyncio.get_running_loop()
    limit = WaitLimit(loop.time() + 0.1, idle=0.1)
    await limit.wait(asyncio.sleep(0))
    await asyncio.sleep(0.3)  # the consumer's work: outlives both limits, and is not cancelled
    with pytest.raises(TimeoutError):
        await limit.wait(asyncio.sleep(0))
    limit.close()


async def test_a_cancellation_from_outside_stays_a_cancellation() -> None:
    loop = asyncio.get_running_loop()
    limit = WaitLimit(loop.time() + 30, idle=30)
    task = asyncio.create_task(limit.wait(loop.create_future()))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    limit.close()


async def test_a_wait_whose_stream_left_news_unread_goes_on_and_ends_once_it_is_silent() -> None:
    # A reply held to its end: tokens gathered in the kernel, unread on purpose, are the stream's
    # news. The limit asks before ending a silent wait: the first time there was news (read now),
    # the second time there was none.
    loop = asyncio.get_running_loop()
    answers = [True, False]
    asked: list[float] = []

    def unread() -> bool:
        asked.append(loop.time())
        return answers.pop(0)

    limit = WaitLimit(loop.time() + 30, idle=0.1, unread=unread)
    started = loop.time()
    with pytest.raises(TimeoutError):
        await limit.wait(loop.create_future())
    limit.close()
    assert len(asked) == 2 and answers == []
    assert 0.19 <= loop.time() - started < 5
