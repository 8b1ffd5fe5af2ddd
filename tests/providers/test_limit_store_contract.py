"""One contract for both limit stores: the in-process one and Redis (a key prefix per test)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from deckgen.providers.limits import LimitStore, MemoryLimitStore, RedisLimitStore
from tests.support.redis import REDIS_URL, isolated_prefix

T0 = 1_800_000_000.0


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[LimitStore]:
    if request.param == "memory":
        yield MemoryLimitStore()
        return
    async with isolated_prefix() as prefix:
        store = RedisLimitStore(REDIS_URL, prefix=prefix)
        try:
            yield store
        finally:
            await store.aclose()


async def test_a_bucket_grants_its_burst_then_the_rate(store: LimitStore) -> None:
    for _ in range(3):
        assert await store.take_token("caller-a", 1.0, 3, T0) == 0
    wait = await store.take_token("caller-a", 1.0, 3, T0)
    assert wait == pytest.approx(1.0)
    # Another caller has a bucket of its own.
    assert await store.take_token("caller-b", 1.0, 3, T0) == 0
    # Half a second later half a token is back: still a wait, now of half a second.
    assert await store.take_token("caller-a", 1.0, 3, T0 + 0.5) == pytest.approx(0.5)
    assert await store.take_token("caller-a", 1.0, 3, T0 + 1.0) == 0
    # A long pause refills to the burst, never beyond.
    for _ in range(3):
        assert await store.take_token("caller-a", 1.0, 3, T0 + 100) == 0
    assert await store.take_token("caller-a", 1.0, 3, T0 + 100) > 0


async def test_concurrent_takes_never_over_grant(store: LimitStore) -> None:
    results = await asyncio.gather(*(store.take_token("busy", 0.001, 10, T0) for _ in range(40)))
    assert sum(1 for wait in results if wait == 0) == 10


async def test_slots_are_limited_released_and_expire(store: LimitStore) -> None:
    assert await store.acquire_slot("gen-a", 2, "one", T0 + 60, T0)
    assert await store.acquire_slot("gen-a", 2, "two", T0 + 60, T0)
    assert not await store.acquire_slot("gen-a", 2, "three", T0 + 60, T0)
    assert await store.acquire_slot("gen-b", 2, "one", T0 + 60, T0)
    await store.release_slot("gen-a", "one")
    assert await store.acquire_slot("gen-a", 2, "three", T0 + 60, T0)
    assert not await store.acquire_slot("gen-a", 2, "four", T0 + 60, T0 + 1)
    # A holder that died without releasing: its slot comes back when the lease expires.
    assert await store.acquire_slot("gen-a", 2, "four", T0 + 200, T0 + 61)


async def test_concurrent_acquires_never_over_grant(store: LimitStore) -> None:
    granted = await asyncio.gather(
        *(store.acquire_slot("race", 3, f"lease-{i}", T0 + 60, T0) for i in range(20))
    )
    assert sum(granted) == 3


async def test_usage_adds_up_per_key(store: LimitStore) -> None:
    assert await store.usage("tokens-a") == 0
    assert await store.add_usage("tokens-a", 120, 60) == 120
    assert await store.add_usage("tokens-a", 30, 60) == 150
    assert await store.usage("tokens-a") == 150
    assert await store.usage("tokens-b") == 0
