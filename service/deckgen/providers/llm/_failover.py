"""Providers tried in order: a backup takes over when the one before it fails after its retries."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing

from deckgen.providers.llm._base import ChatEvent, ChatModel, ChatRequest, ProviderFailed

__all__ = ["FailoverChatModel"]

log = logging.getLogger(__name__)


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

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatEvent, None]:
        failures: list[ProviderFailed] = []
        for model in self.models:
            try:
                # Once a provider has written text, a break is the caller's to repair: switching
                # providers mid-reply would splice two different answers together.
                async with aclosing(model.stream(request)) as events:
                    async for event in events:
                        yield event
                return
            except ProviderFailed as failure:
                failures.append(failure)
                if model is not self.models[-1]:
                    log.warning("provider %s failed (%s); trying the next one", model.name, failure.message)
        last = failures[-1]
        raise ProviderFailed(
            " → ".join(f.provider for f in failures),
            "; ".join(f"{f.provider}: {f.message}" for f in failures),
            last.status,
            last.retryable,
            sum(f.attempts for f in failures),
        )
