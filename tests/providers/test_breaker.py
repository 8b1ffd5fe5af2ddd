"""The circuit breaker on its own (a fake clock), then inside the adapter and the failover."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from deckgen.providers._breaker import BreakerState, CircuitBreaker
from deckgen.providers._retry import RetryPolicy
from deckgen.providers.llm import (
    ChatMessage,
    ChatRequest,
    FailoverChatModel,
    OpenAIChatModel,
    OpenAIConfig,
    ProviderFailed,
    TextDelta,
)
from tests.support.fake_llm import FakeLLMServer, Reply

REQUEST = ChatRequest((ChatMessage("user", "Hello"),), purpose="slides")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def fail(breaker: CircuitBreaker, times: int, retry_after: float | None = None) -> None:
    for _ in range(times):
        attempt = breaker.admit()
        assert attempt is not None
        breaker.failed(attempt, retry_after)


def test_opens_after_threshold_consecutive_failures_and_a_success_resets_the_count() -> None:
    breaker = CircuitBreaker("primary", threshold=3, cooldown=10, clock=Clock())
    fail(breaker, 2)
    attempt = breaker.admit()
    assert attempt is not None and breaker.failing
    breaker.succeeded(attempt)
    assert not breaker.failing
    fail(breaker, 2)
    assert breaker.state is BreakerState.CLOSED
    fail(breaker, 1)
    assert breaker.state is BreakerState.OPEN
    assert breaker.admit() is None
    assert breaker.retry_after() == 10


def test_after_the_cooldown_one_probe_goes_out_and_decides() -> None:
    clock = Clock()
    breaker = CircuitBreaker("primary", threshold=1, cooldown=10, clock=clock)
    fail(breaker, 1)
    clock.now += 10
    assert breaker.state is BreakerState.HALF_OPEN
    probe = breaker.admit()
    assert probe is not None and probe.probe
    assert breaker.admit() is None, "one probe at a time"
    breaker.failed(probe)
    assert (breaker.state, breaker.retry_after()) == (BreakerState.OPEN, 10)

    clock.now += 10
    probe = breaker.admit()
    assert probe is not None
    breaker.succeeded(probe)
    assert (breaker.state, breaker.failing) == (BreakerState.CLOSED, False)
    assert breaker.admit() is not None and breaker.admit() is not None


def test_a_cancelled_probe_lets_the_next_call_probe() -> None:
    clock = Clock()
    breaker = CircuitBreaker("primary", threshold=1, cooldown=5, clock=clock)
    fail(breaker, 1)
    clock.now += 5
    probe = breaker.admit()
    assert probe is not None
    breaker.release(probe)
    breaker.release(probe)  # settling twice changes nothing
    assert breaker.in_flight == 0
    assert breaker.admit() is not None


def test_the_cooldown_is_at_least_what_retry_after_asked() -> None:
    breaker = CircuitBreaker("primary", threshold=1, cooldown=5, clock=Clock())
    fail(breaker, 1, retry_after=42)
    assert breaker.retry_after() == 42


# -- in the adapter and the failover -------------------------------------------------------------


@pytest.fixture
def dead() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as server:
        server.responder = lambda request: Reply(status=503)
        yield server


def adapter(server: FakeLLMServer, name: str, **changes: float) -> OpenAIChatModel:
    config = OpenAIConfig(name, server.base_url, "sk-test", retry=RetryPolicy(3, 0.01), **changes)  # type: ignore[arg-type]
    return OpenAIChatModel(config)


async def test_an_open_circuit_fails_at_once_without_calling_and_gives_the_time_left(
    dead: FakeLLMServer,
) -> None:
    model = adapter(dead, "primary", breaker_threshold=2, breaker_cooldown=60)
    try:
        with pytest.raises(ProviderFailed) as first:
            _ = [event async for event in model.stream(REQUEST)]
        # Two failed tries opened it; the third try was not made.
        assert len(dead.chat_requests) == 2 and first.value.attempts == 2
        assert first.value.retry_after is not None and 59 < first.value.retry_after <= 60
        with pytest.raises(ProviderFailed, match="circuit open") as second:
            _ = [event async for event in model.stream(REQUEST)]
        assert len(dead.chat_requests) == 2 and second.value.attempts == 0
    finally:
        await model.aclose()


async def test_while_a_provider_fails_concurrent_calls_go_to_the_next_one(dead: FakeLLMServer) -> None:
    with FakeLLMServer() as backup_server:
        backup_server.responder = lambda request: Reply(content="from the backup")
        primary = adapter(dead, "primary")
        backup = adapter(backup_server, "backup-1")
        failover = FailoverChatModel([primary, backup])
        try:
            # One failure makes the primary suspect; then it answers slowly, so a call is in flight.
            fail_once = [event async for event in failover.stream(REQUEST)]
            assert isinstance(fail_once[0], TextDelta)
            dead.reset()
            dead.responder = lambda request: Reply(status=503, stall=0.5)

            async def text() -> str:
                return "".join([e.text async for e in failover.stream(REQUEST) if isinstance(e, TextDelta)])

            texts = await asyncio.gather(*(text() for _ in range(8)))
        finally:
            await primary.aclose()
            await backup.aclose()
    assert texts == ["from the backup"] * 8
    # One call at a time tried the failing primary (its own retries included), not eight at once.
    assert dead.max_concurrency == 1
