"""Providers tried in order: a backup takes over at once when the one before it fails.

Each adapter keeps a circuit breaker (`providers._breaker`); this class only routes:
- a provider with another one after it gets one try, no backoff: waiting to retry it would only
  delay a reply the next provider can write now; the last provider gets its retries;
- a provider whose circuit is open fails at once, so the next one is asked without waiting;
- while a provider is failing (its last call failed), one call at a time may try it and the others
  go straight to the next provider, so a burst of concurrent slides does not pile onto a provider
  that just went down. The last provider is always tried: there is nowhere else to go.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from dataclasses import replace

from deckgen.providers._breaker import CircuitBreaker
from deckgen.providers.llm._base import ChatEvent, ChatModel, ChatRequest, ProviderFailed

__all__ = ["FailoverChatModel"]

log = logging.getLogger(__name__)


def _breaker(model: ChatModel) -> CircuitBreaker | None:
    breaker = getattr(model, "breaker", None)
    return breaker if isinstance(breaker, CircuitBreaker) else None


class FailoverChatModel:
    def __init__(self, models: Sequence[ChatModel]) -> None:
        if not models:
            raise ValueError("at least one model is needed")
        self.models = tuple(models)
        self.name = self.models[0].name

    async def check(self) -> None:
        """Raise unless at least one provider answers: with a backup up, generations still work."""
        errors: list[str] = []
        for model in self.models:
            check = getattr(model, "check", None)
            if check is None:
                return
            try:
                await check()
                return
            except Exception as error:
                errors.append(f"{model.name}: {type(error).__name__}")
        raise ConnectionError("no language model provider answers (" + "; ".join(errors) + ")")

    def _busy_and_failing(self, model: ChatModel) -> bool:
        breaker = _breaker(model)
        return breaker is not None and breaker.failing and breaker.in_flight > 0

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatEvent, None]:
        failures: list[ProviderFailed] = []
        models = [model for model in self.models if model.name not in request.avoid]
        if not models:
            avoided = ", ".join(model.name for model in self.models)
            raise ProviderFailed(avoided, "no other provider to ask", retryable=False, attempts=0)
        for model in models:
            last = model is models[-1]
            if not last and self._busy_and_failing(model):
                failures.append(ProviderFailed(model.name, "failing; another call is trying it", attempts=0))
                continue
            try:
                # Once a provider has written text, a break is the caller's to repair: switching
                # providers mid-reply would splice two different answers together.
                ask = request if last else replace(request, retry=False)
                async with aclosing(model.stream(ask)) as events:
                    async for event in events:
                        yield event
                return
            except ProviderFailed as failure:
                failures.append(failure)
                if not last:
                    # A skip (its circuit is open) was logged once, when the circuit opened.
                    level = logging.WARNING if failure.attempts else logging.DEBUG
                    log.log(level, "provider %s failed (%s); next one", model.name, failure.message)
        if len(failures) == 1:
            raise failures[0]
        tried = [f for f in failures if f.attempts] or failures
        last_failure = tried[-1]
        waits = [f.retry_after for f in failures if f.retry_after is not None]
        every_one_said = len(waits) == len(failures)
        raise ProviderFailed(
            " → ".join(f.provider for f in failures),
            "; ".join(f"{f.provider}: {f.message}" for f in failures),
            last_failure.status,
            last_failure.retryable,
            sum(f.attempts for f in failures),
            # The soonest a provider may answer again, when each of them told.
            retry_after=min(waits) if waits and every_one_said else None,
        )
